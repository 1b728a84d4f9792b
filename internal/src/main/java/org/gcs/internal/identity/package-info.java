/** A server's long-term TLS identity (a GCS node's, the baseline relay's): an ECDSA P-256 key made once, its self-signed certificate, and the id that hashes it. */
package org.gcs.internal.identity;
