/** The P2P transport SPI: open a secure channel between two devices given signaling exchanged through GCS. */
@Export
@Version("1.0.0")
package org.gcs.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
