/** The STUN and TURN servers a node advertises to its daemons, with short-lived TURN credentials per login. */
package org.gcs.node.ice;
