/** Identity value types (users, devices, applications, nodes) and the exception hierarchy shared by every GCS bundle. */
@Export
@Version("1.1.0")
package org.gcs.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
