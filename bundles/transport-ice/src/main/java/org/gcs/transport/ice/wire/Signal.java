package org.gcs.transport.ice.wire;

import java.util.Objects;

/** What a session emits after its description: a trickled candidate, or the end of its candidates. */
public sealed interface Signal {
    /** A candidate found after the description was sent. */
    record Candidate(CandidateInfo candidate) implements Signal {
        public Candidate {
            Objects.requireNonNull(candidate, "candidate");
        }
    }

    /** The sender will trickle no more candidates. */
    record EndOfCandidates() implements Signal {
    }

    Signal END_OF_CANDIDATES = new EndOfCandidates();
}
