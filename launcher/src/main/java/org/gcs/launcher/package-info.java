/** Runs GCS roles (the assembly's runnable jars) and example applications as separate processes on loopback. */
package org.gcs.launcher;
