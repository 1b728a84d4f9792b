/** The user's friends file: parsing {@code <user-id> <petname>} lines and reloading the list when the file changes. */
package org.gcs.daemon.friends;
