/** End-to-end authentication of channels: signing and checking offers and answers, replay protection. */
package org.gcs.daemon.auth;
