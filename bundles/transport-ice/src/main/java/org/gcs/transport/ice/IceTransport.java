package org.gcs.transport.ice;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.gcs.api.TransportException;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.SessionOptions;
import org.gcs.transport.ice.tls.SessionCertificate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * {@link P2PTransport} over ICE (ice4j, trickle) and QUIC (Netty QUIC, TLS 1.3 with per-session certificates pinned by
 * fingerprint). Configuration PID {@value #PID} (optional); a single-machine set-up sets {@code host_addresses} to
 * {@code 127.0.0.1}.
 *
 * <pre>{@code
 * PeerSession caller = transport.newSession(new SessionOptions(Role.CONTROLLING, ChannelType.DATA, servers, null), toCallee);
 * byte[] offer = caller.localDescription().join();  // -> Connect.offer; the callee answers with its description
 * caller.remoteDescription(answer);                 // signals from the callee go to caller.remoteSignal(...)
 * try (P2PChannel ch = caller.channel().join()) { ch.output().write(data); }
 * }</pre>
 *
 * Threads: one Netty event-loop group ({@code event_loop_threads}), a pool for session steps and ice4j calls (at most
 * 256 at once, beyond that queued on two overflow threads per core; idle threads end after 5 s), two set-up threads
 * per core for QUIC endpoints and certificates (idle ones end too), one timer; per open channel one receive thread
 * (two with the {@code quic_direct=false} shim); ice4j's own (shared, idle-terminating) pools.
 */
@org.osgi.service.component.annotations.Component(service = P2PTransport.class, configurationPid = IceTransport.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = IceTransport.Config.class)
public final class IceTransport implements P2PTransport {
    public static final String PID = "org.gcs.transport.ice";
    private static final Logger LOG = Logger.getLogger(IceTransport.class.getName());

    static {
        IceProperties.disableCloudMetadata(); // before any ice4j class can load
    }

    /**
     * Configuration of the ICE/QUIC transport; every element is optional. Configuration keys are dotted
     * ({@code host.addresses}, {@code port.min}, ...): DS maps each {@code _} of an element name to a dot.
     */
    @ObjectClassDefinition(name = "GCS ICE/QUIC P2P transport", description = "ICE (ice4j) + QUIC (Netty) peer-to-peer channels")
    public @interface Config {
        @AttributeDefinition(description = "Local IPs to gather host candidates on, e.g. 127.0.0.1 for single-machine"
                + " demos and tests (ice4j never yields loopback candidates). Empty: all usable interfaces.")
        String[] host_addresses() default {};

        @AttributeDefinition(description = "Lowest local UDP port for candidates; 0 with port_max 0 = ephemeral ports")
        int port_min() default 0;

        @AttributeDefinition(description = "Highest local UDP port for candidates; 0 with port_min 0 = ephemeral ports")
        int port_max() default 0;

        @AttributeDefinition(description = "STUN transactions (connectivity checks, STUN gathering): longest"
                + " retransmission interval in ms. JVM-wide ice4j property org.ice4j.MAX_CTRAN_RETRANS_TIMER.")
        int stun_max_retransmit_timer_ms() default 800;

        @AttributeDefinition(description = "STUN transactions: retransmissions before giving up (first after 100 ms,"
                + " doubling). JVM-wide ice4j property org.ice4j.MAX_RETRANSMISSIONS. 800 ms / 4 = ~2.3 s per check.")
        int stun_max_retransmissions() default 4;

        @AttributeDefinition(description = "QUIC idle timeout in ms: the channel closes after this long without packets"
                + " (keep-alives every keepalive_interval_ms prevent it on a working path)")
        long quic_idle_timeout_ms() default 30000;

        @AttributeDefinition(description = "Keep-alive period in ms of an open channel: an empty QUIC datagram each way"
                + " keeps the QUIC connection, NAT bindings and TURN permissions alive. Effective value: at most a third"
                + " of quic_idle_timeout_ms")
        long keepalive_interval_ms() default 10000;

        @AttributeDefinition(description = "Controlling side: once only pairs through a TURN relay succeeded, how long"
                + " (ms) to wait for a direct pair before nominating the relayed one")
        long relay_nomination_delay_ms() default 1000;

        @AttributeDefinition(description = "How long (ms) every candidate pair must have failed, after both ends ended"
                + " their candidates, before the session fails with 'ICE failed'")
        long ice_failed_grace_ms() default 1000;

        @AttributeDefinition(description = "Longest period (ms) between TURN allocation refreshes; 0 = from the server's"
                + " LIFETIME only (refresh after 4/5 of it, at most 60 s early). Set it for servers that misreport the"
                + " lifetime (coturn with --max-allocate-lifetime below 600 s announces 600 s)")
        long turn_refresh_max_ms() default 0;

        @AttributeDefinition(description = "Testing and diagnostics: advertise and use only relayed (TURN)"
                + " candidates")
        boolean relay_only() default false;

        @AttributeDefinition(description = "Check relayed candidates against the peer's private (RFC 1918, link-local,"
                + " loopback, ULA) host candidates too. Off: TURN servers deny such peers (coturn denied-peer-ip), and"
                + " every such check costs refused requests at the relay")
        boolean relay_private_hosts() default false;

        @AttributeDefinition(description = "QUIC connection flow-control window in bytes")
        long quic_max_data() default 16 * 1024 * 1024;

        @AttributeDefinition(description = "QUIC per-stream flow-control window in bytes (DATA channel)")
        long quic_max_stream_data() default 8 * 1024 * 1024;

        @AttributeDefinition(description = "Datagrams queued per STREAM channel and direction before dropping")
        int datagram_queue() default 1024;

        @AttributeDefinition(description = "How long closing a DATA channel waits (ms) for the peer to finish the stream")
        long close_linger_ms() default 2000;

        @AttributeDefinition(description = "QUIC's Netty channel sits directly on the ICE path; false: through a"
                + " 127.0.0.1 UDP shim (two more threads and a loopback hop per datagram)")
        boolean quic_direct() default true;

        @AttributeDefinition(description = "Netty event-loop threads shared by all QUIC channels")
        int event_loop_threads() default 2;

        @AttributeDefinition(description = "java.util.logging level of the org.ice4j loggers (ice4j logs every session at INFO)")
        String ice4j_log_level() default "WARNING";
    }

    /** Validity of a session certificate (it is pinned per session; the length only has to outlast the channel). */
    static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(2);
    private static final long SPARE_MAX_AGE_NANOS = TimeUnit.HOURS.toNanos(1);

    private final TransportSettings settings;
    private final ClassLoader loader = IceTransport.class.getClassLoader();
    /** Session steps and ice4j calls beyond this many at once wait in the overflow queue. */
    static final int MAX_POOL_THREADS = 256;
    private final ThreadPoolExecutor pool;
    private final ThreadPoolExecutor overflow;
    private final ThreadPoolExecutor setup;
    private final ScheduledThreadPoolExecutor timer;
    private final EventLoopGroup eventLoops;
    private final Set<IceSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicReference<SpareCertificate> spare = new AtomicReference<>();
    private volatile boolean closed;

    /** A session certificate made ahead of need, and when. */
    private record SpareCertificate(SessionCertificate certificate, long createdNanos) {
    }

    @Activate
    public IceTransport(Config config) {
        this(TransportSettings.from(config));
    }

    /**
     * A transport outside a framework (benchmarks, tools, other modules' tests): {@code config} maps {@link Config}'s
     * method names ({@code host_addresses}, ...) to values; the others keep their defaults. {@link #deactivate} it when
     * done.
     */
    public static IceTransport standalone(java.util.Map<String, Object> config) {
        return new IceTransport(TransportSettings.configOf(config));
    }

    IceTransport(TransportSettings settings) {
        this.settings = settings;
        Ice4jRuntime.initialise(settings, loader);
        int cpus = Runtime.getRuntime().availableProcessors();
        this.overflow = queued(2 * cpus, "gcs-ice-overflow");
        this.pool = new ThreadPoolExecutor(0, MAX_POOL_THREADS, 5, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("gcs-ice-worker"), this::queueOnOverflow);
        this.setup = queued(2 * cpus, "gcs-ice-setup");
        this.timer = new ScheduledThreadPoolExecutor(1, threads("gcs-ice-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.eventLoops = new MultiThreadIoEventLoopGroup(settings.eventLoopThreads(),
                new DefaultThreadFactory("gcs-ice-quic", true), NioIoHandler.newFactory());
        makeSpareCertificate();
    }

    /**
     * A fresh certificate for a new session. A P-256 key pair and a signed certificate cost milliseconds, so one is made
     * ahead on the pool and taken here (if younger than {@link #SPARE_MAX_AGE_NANOS}); each is used once.
     */
    SessionCertificate sessionCertificate() {
        SpareCertificate s = spare.getAndSet(null);
        makeSpareCertificate();
        if (s != null && System.nanoTime() - s.createdNanos() < SPARE_MAX_AGE_NANOS) {
            return s.certificate();
        }
        return SessionCertificate.generate(CERTIFICATE_VALIDITY);
    }

    private void makeSpareCertificate() {
        if (closed) {
            return;
        }
        try {
            setup.execute(() -> spare.compareAndSet(null,
                    new SpareCertificate(SessionCertificate.generate(CERTIFICATE_VALIDITY), System.nanoTime())));
        } catch (RejectedExecutionException e) {
            // shutting down: the next session makes its own
        }
    }

    /** {@code n} threads that end after 5 s idle, and an unbounded queue before them. */
    private ThreadPoolExecutor queued(int n, String prefix) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(n, n, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads(prefix));
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(loader); // ice4j reads its config through the TCCL
            return t;
        };
    }

    @Override
    public PeerSession newSession(SessionOptions options, Consumer<byte[]> signalOut) {
        if (closed) {
            throw new TransportException("the ICE transport is shut down");
        }
        IceSession s = new IceSession(this, settings, options, signalOut);
        sessions.add(s);
        return s;
    }

    /** Closes pending sessions (open channels are closed by their owners) and stops the shared threads. */
    @Deactivate
    public void deactivate() {
        closed = true;
        List<IceSession> pending = new ArrayList<>(sessions);
        List<CompletableFuture<Void>> freed = new ArrayList<>();
        for (IceSession s : pending) {
            s.close();
            freed.add(s.released());
        }
        try {
            CompletableFuture.allOf(freed.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "ICE sessions not freed within 3 s of deactivation", e);
        }
        timer.shutdownNow();
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        pool.shutdown();
        overflow.shutdown();
        setup.shutdownNow();
        try {
            if (!pool.awaitTermination(3, TimeUnit.SECONDS) || !overflow.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "ICE transport tasks still running after deactivation");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Set-up work (QUIC endpoints, which also wait for their event loop to bind, and certificates ahead of need): two
     * threads per core, queued, so that a burst of sessions neither starves the session pool nor runs far more of it at
     * once than there are cores.
     */
    Executor setup() {
        return setup;
    }

    void forget(IceSession s) {
        sessions.remove(s);
    }

    int pendingSessions() {
        return sessions.size();
    }

    ExecutorService pool() {
        return pool;
    }

    /**
     * A burst of new sessions (hundreds of connects at once) can have more steps ready than the pool has threads; they
     * queue on a few overflow threads instead of failing. A refused step would have been lost: a session whose "ICE
     * completed" step is refused waits for its timeout, and one whose set-up is refused fails at once.
     */
    private void queueOnOverflow(Runnable task, ThreadPoolExecutor full) {
        if (full.isShutdown()) {
            throw new RejectedExecutionException("the ICE transport is shut down");
        }
        overflow.execute(task);
    }

    /** Steps waiting for an overflow thread (tests and diagnostics). */
    int overflowQueued() {
        return overflow.getQueue().size();
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    EventLoopGroup eventLoops() {
        return eventLoops;
    }

    ClassLoader loader() {
        return loader;
    }
}
