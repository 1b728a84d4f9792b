/** The GCS device daemon's OSGi component: reads configuration PID {@code org.gcs.daemon} and runs one {@link org.gcs.daemon.core.Daemon}. */
package org.gcs.daemon;
