/** Test only: a {@link org.gcs.api.routing.Router} that plays a malicious node by tampering with signaling. */
package org.gcs.testing.malicious.router;
