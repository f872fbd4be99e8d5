"""The tests' certificate authority: the toolkit's throwaway one (see isa_toolkit.signing.throwaway)."""

from isa_toolkit.signing.throwaway import CA, Identity, sign_field

__all__ = ["CA", "Identity", "sign_field"]
