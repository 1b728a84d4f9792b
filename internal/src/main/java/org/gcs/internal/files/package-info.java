/** Files written whole or not at all, with their permissions from creation, and private keys refused when others may read them. */
package org.gcs.internal.files;
