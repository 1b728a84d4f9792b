/** The node's protocol logic: login, per-device sessions, the local users' sinks, friends filter and connection table. */
package org.gcs.node.session;
