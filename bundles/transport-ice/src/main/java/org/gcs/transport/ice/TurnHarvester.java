package org.gcs.transport.ice;

import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.gcs.api.transport.IceServer;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.RelayedCandidate;
import org.ice4j.ice.harvest.TurnCandidateHarvest;
import org.ice4j.ice.harvest.TurnCandidateHarvester;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.LongTermCredential;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.RelayedCandidateDatagramSocket;
import org.ice4j.stack.TransactionID;

/**
 * Relayed candidates from one TURN server (UDP) with long-term credentials: the node hands out coturn REST credentials
 * ({@code use-auth-secret}: username {@code <unix expiry>:<id>}, password base64(HMAC-SHA1(secret, username))); the
 * realm and nonce come from the server's 401 (and a 438 stale nonce), which ice4j answers with the same credential.
 *
 * <p>Allocation refresh: ice4j 3.2's own keep-alive thread never sends (it waits a full interval again and again while
 * its last-send time is still unset), so an allocation would expire after its LIFETIME (600 s on coturn). This harvest
 * sends the Refresh itself from the transport's timer, after {@link #refreshAfterMillis} (four fifths of the lifetime,
 * at most one minute early, or {@code turn_refresh_max_ms}), retrying every quarter of that until a Refresh succeeds,
 * and stops when ice4j closes the harvest (agent freed). Permissions and channel bindings are refreshed by ice4j's
 * relayed socket when it sends and they are older than 4 minutes; the channel's keep-alives send at least every
 * {@code keepalive_interval_ms}.
 */
final class TurnHarvester extends TurnCandidateHarvester implements EndableHarvester {
    private static final Logger LOG = Logger.getLogger(TurnHarvester.class.getName());
    private static final char ALLOCATE_RESPONSE = 0x0103;
    private static final char REFRESH_RESPONSE = 0x0104;

    private final long refreshMaxMillis;
    private final ScheduledExecutorService timer;
    private final List<RefreshingHarvest> harvests = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    /**
     * @param refreshMax longest period between refreshes, whatever the server's LIFETIME; zero: no such bound
     * @param timer runs the refreshes
     */
    TurnHarvester(IceServer server, java.time.Duration refreshMax, ScheduledExecutorService timer) {
        super(new TransportAddress(server.host(), server.port(), Transport.UDP),
                new LongTermCredential(server.username(), server.password()));
        this.refreshMaxMillis = refreshMax.toMillis();
        this.timer = timer;
    }

    /**
     * When to refresh an allocation granted for {@code lifetimeSeconds}: after 4/5 of it, at most 60 s before expiry,
     * at least 1 s; never later than {@code refreshMaxMillis} when that is positive.
     */
    static long refreshAfterMillis(int lifetimeSeconds, long refreshMaxMillis) {
        long lifetime = lifetimeSeconds * 1000L;
        long after = Math.max(1000, lifetime - Math.min(60_000, lifetime / 5));
        return refreshMaxMillis > 0 ? Math.min(after, refreshMaxMillis) : after;
    }

    @Override
    protected TurnCandidateHarvest createHarvest(HostCandidate hostCandidate) {
        RefreshingHarvest h = new RefreshingHarvest(this, hostCandidate);
        harvests.add(h);
        if (ended) { // the session ended while this harvest was being made: no allocation (ice4j skips the candidate)
            harvests.remove(h);
            return null;
        }
        return h;
    }

    /**
     * Deletes every allocation of this harvester at the TURN server (a Refresh with lifetime 0, sent now), stops the
     * refreshes and ends the harvests still waiting for the server. Call it before the agent is freed:
     * {@code Agent.free()} shuts the STUN stack down before it frees the relayed candidates, so ice4j's own delete finds no socket to send through and the allocation (its relay port, its
     * quota) would stay on the server for its whole lifetime, 600 s on coturn.
     */
    @Override
    public void end() {
        ended = true;
        for (RefreshingHarvest h : harvests) {
            h.deleteAllocation();
            h.end();
        }
    }

    /** One allocation (per host candidate) whose refreshes this class schedules. */
    private final class RefreshingHarvest extends TurnCandidateHarvest {
        private final Object lock = new Object();
        private ScheduledFuture<?> next;
        private long period;
        private boolean closed;
        private boolean allocated;
        private boolean deleted;

        RefreshingHarvest(TurnCandidateHarvester harvester, HostCandidate hostCandidate) {
            super(harvester, hostCandidate);
        }

        /** A relayed candidate whose sockets hold no descriptor beyond the TURN socket's own ({@link StunDemuxSocket}). */
        @Override
        protected RelayedCandidate createRelayedCandidate(TransportAddress transportAddress, TransportAddress mapped) {
            return new OwnRelayedCandidate(transportAddress, this, mapped);
        }

        /** Sends the Refresh with lifetime 0 once, while the STUN stack still runs; stops the refreshes. */
        void deleteAllocation() {
            synchronized (lock) {
                if (deleted) {
                    return;
                }
                deleted = true;
                closed = true;
                if (next != null) {
                    next.cancel(false);
                }
                if (!allocated) {
                    return;
                }
            }
            try {
                sendRequest(MessageFactory.createRefreshRequest(0), false, null);
            } catch (StunException | RuntimeException e) {
                LOG.log(Level.FINE, "TURN allocation delete failed to send", e);
            }
        }

        /**
         * Completes the harvest if it still waits for the server: ice4j's harvesting thread waits for every harvest,
         * without a timeout, and a freed agent's STUN stack never tells it ({@link StunHarvester} says more).
         */
        void end() {
            completedResolvingCandidate(null, null);
        }

        /** ice4j's delete at free time, which its stopped STUN stack cannot send: skipped once ours went. */
        @Override
        public void close(RelayedCandidateDatagramSocket socket) {
            synchronized (lock) {
                if (deleted) {
                    return;
                }
            }
            super.close(socket);
        }

        /** ice4j's keep-alive thread would wait forever: never start it. */
        @Override
        protected void setSendKeepAliveMessageInterval(long millis) {
        }

        @Override
        protected void processSuccess(Response response, Request request, TransactionID transactionID) {
            super.processSuccess(response, request, transactionID);
            char type = response.getMessageType();
            if (type != ALLOCATE_RESPONSE && type != REFRESH_RESPONSE) {
                return;
            }
            Attribute a = response.getAttribute(Attribute.LIFETIME);
            int lifetime = a instanceof LifetimeAttribute l ? l.getLifetime() : (type == ALLOCATE_RESPONSE ? 600 : -1);
            if (type == ALLOCATE_RESPONSE) {
                synchronized (lock) {
                    allocated = true;
                }
            }
            if (lifetime > 0) {
                schedule(refreshAfterMillis(lifetime, refreshMaxMillis), true);
            }
        }

        private void schedule(long delay, boolean newPeriod) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (newPeriod) {
                    period = delay;
                }
                if (next != null) {
                    next.cancel(false);
                }
                try {
                    next = timer.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    next = null; // transport shut down
                }
            }
        }

        private void refresh() {
            long retry;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                retry = Math.max(1000, period / 4);
            }
            schedule(retry, false); // replaced by a full period when the Refresh succeeds
            try {
                sendKeepAliveMessage(); // a Refresh with the long-term credential for each relayed candidate
            } catch (StunException | RuntimeException e) {
                LOG.log(Level.FINE, "TURN refresh failed to send", e);
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
                if (next != null) {
                    next.cancel(false);
                }
            }
            super.close();
        }
    }

    /** ice4j's relayed candidate, with its TURN socket behind a {@link StunDemuxSocket}. */
    private static final class OwnRelayedCandidate extends RelayedCandidate {
        private final TurnCandidateHarvest harvest;
        private IceSocketWrapper socket;

        OwnRelayedCandidate(TransportAddress address, TurnCandidateHarvest harvest, TransportAddress mapped) {
            super(address, harvest, mapped);
            this.harvest = harvest;
        }

        @Override
        public synchronized IceSocketWrapper getCandidateIceSocketWrapper() {
            if (socket == null) {
                try {
                    socket = new IceUdpSocketWrapper(new StunDemuxSocket(new RelayedCandidateDatagramSocket(this, harvest)));
                } catch (SocketException e) {
                    throw new IllegalStateException("cannot open the relayed socket of " + getTransportAddress(), e);
                }
            }
            return socket;
        }

        @Override
        public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
            return ((StunDemuxSocket) getCandidateIceSocketWrapper().getUDPSocket()).stunSocket(serverAddress,
                    getTransportAddress());
        }
    }

    @Override
    public String toString() {
        return "TURN " + stunServer;
    }
}
