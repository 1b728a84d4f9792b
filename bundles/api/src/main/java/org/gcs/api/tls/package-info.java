/** The one pinning trust manager of GCS: TLS peers are trusted for their key or certificate, never for a name or a CA. */
@Export
@Version("1.0.0")
package org.gcs.api.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
