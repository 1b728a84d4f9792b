/** BNS identities: Stacks signed messages over secp256k1, c32check addresses, Clarity values, and name ownership. */
package org.gcs.auth.bns;
