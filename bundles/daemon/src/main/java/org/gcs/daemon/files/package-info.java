/** How the daemon writes its state files: whole or not at all. */
package org.gcs.daemon.files;
