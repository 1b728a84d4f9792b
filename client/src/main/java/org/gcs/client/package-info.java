/**
 * Java library through which an application reaches its local GCS daemon: query a friend's devices, open a
 * peer-to-peer pipe to an application on one of them, and listen for pipes opened by friends ({@link org.gcs.client.GcsClient}).
 */
@Export
@Version("1.0.0")
package org.gcs.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
