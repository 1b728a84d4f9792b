/** The daemon itself: identity, friends, node session, application API and the caller and callee sides of every connection. */
package org.gcs.daemon.core;
