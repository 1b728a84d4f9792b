/** The authentication SPI: one provider per identity scheme verifies proofs on the node and makes them on the device. */
@Export
@Version("1.2.0")
package org.gcs.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
