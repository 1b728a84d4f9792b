/** Ed25519 public-key identities: a user is her public key, printed as {@code pk:<base32>}. */
package org.gcs.auth.pubkey;
