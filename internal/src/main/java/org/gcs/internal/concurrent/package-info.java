/** Executors shared by the bundles that embed this package privately. */
package org.gcs.internal.concurrent;
