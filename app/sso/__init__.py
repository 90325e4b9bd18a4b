"""Single sign-on with OpenID Connect: each institution's identity provider (Authlib)."""
