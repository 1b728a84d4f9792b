/** Per-session ECDSA P-256 certificates and the trust manager that pins the peer's certificate fingerprint. */
package org.gcs.transport.ice.tls;
