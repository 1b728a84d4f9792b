/** Netty handlers shared by the bundles that embed this package privately. */
package org.gcs.internal.netty;
