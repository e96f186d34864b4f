"""The e-certificate backend: the client (httpx), request signing, verification, and the error kinds."""
