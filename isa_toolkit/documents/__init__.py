"""Records into documents: DOCX (docxtpl) and PDF (WeasyPrint), in English, French or both, from templates.

Only this package touches docxtpl and WeasyPrint, and only when a document is made. It reads every
layer below the command line and writes nothing but document files.
"""
