package org.gcs.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.wire.NodeWire.IceServer;
import org.gcs.api.wire.RelayWire.RelayFrame;
import org.gcs.internal.files.AtomicFiles;
import org.gcs.internal.identity.StoredNodeIdentity;
import org.gcs.internal.netty.ProtobufFrameDecoder;
import org.gcs.internal.netty.ProtobufFrameEncoder;
import org.gcs.internal.stun.StunResponder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The baseline relay as a DS component (PID {@value #PID}, required): TLS 1.3 with a key made once in
 * {@code state.dir} (clients pin its id, as daemons pin a node's), the relay protocol of {@code relay.proto}, and a
 * STUN responder like a node's. It writes {@code state/relay.properties} (its id and actual ports) once listening and
 * {@code state/stats.properties} every second.
 */
@Component(configurationPid = RelayServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = RelayServer.Config.class)
public final class RelayServer {
    static final String PID = "org.gcs.relay";
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    @ObjectClassDefinition(name = "GCS baseline relay", description = "The seed's minified system: register an id,"
            + " have signaling forwarded to another id")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TLS port (0 = any)")
        int port() default 7100;

        @AttributeDefinition(description = "STUN port (0 = any, -1 = off)")
        int stun_port() default 3479;

        @AttributeDefinition(description = "The address clients use for STUN (default: host)")
        String advertised_host() default "";

        @AttributeDefinition(description = "Where the key and the status files live")
        String state_dir() default "state";

        @AttributeDefinition(description = "Largest frame accepted or sent")
        int max_frame_bytes() default 64 * 1024;

        @AttributeDefinition(description = "A connection silent this long is closed")
        int idle_timeout_seconds() default 60;

        @AttributeDefinition(description = "Registrations held at most")
        int max_registrations() default 200_000;
    }

    private final RelayStats stats = new RelayStats();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private final List<Channel> listeners = new ArrayList<>();
    private ScheduledExecutorService housekeeping;
    private Registrations registrations;
    private Path stateDir;
    private int tlsPort;
    private int stunPort = -1;
    private String relayId;

    @Activate
    void activate(Config config) throws IOException, InterruptedException {
        stateDir = Path.of(config.state_dir());
        StoredNodeIdentity identity = StoredNodeIdentity.loadOrCreate(stateDir);
        relayId = identity.id().toString();
        registrations = new Registrations(config.max_registrations());
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gcs-relay-boss", true), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("gcs-relay", true), NioIoHandler.newFactory());
        try {
            String advertised = config.advertised_host().isBlank() ? config.host() : config.advertised_host();
            List<IceServer> ice = new ArrayList<>();
            if (config.stun_port() >= 0) {
                Channel stun = new StunResponder(StunResponder.Traffic.NONE).bind(boss, config.host(), config.stun_port());
                listeners.add(stun);
                stunPort = ((InetSocketAddress) stun.localAddress()).getPort();
                ice.add(IceServer.newBuilder().setHost(advertised).setPort(stunPort).setKind("stun").build());
            }
            SslContext tls = SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                    .sslProvider(SslProvider.JDK).protocols("TLSv1.3").build();
            List<IceServer> servers = List.copyOf(ice);
            int maxFrame = config.max_frame_bytes();
            long idleMillis = config.idle_timeout_seconds() * 1000L;
            Channel listener = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                    .addLast("tls", tls.newHandler(ch.alloc()))
                                    .addLast("frames", new LengthFieldBasedFrameDecoder(maxFrame, 0, 4, 0, 4))
                                    .addLast("length", new LengthFieldPrepender(4))
                                    .addLast("decode", new ProtobufFrameDecoder<>(RelayFrame.parser()))
                                    .addLast("encode", new ProtobufFrameEncoder<>(RelayFrame.class, maxFrame,
                                            f -> f.getBodyCase().toString()))
                                    .addLast("relay", new RelayHandler(registrations, stats, servers));
                        }
                    })
                    .bind(config.host(), config.port()).sync().channel();
            listeners.add(listener);
            tlsPort = ((InetSocketAddress) listener.localAddress()).getPort();
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("relay.id", relayId);
            status.put("tls.host", config.host());
            status.put("tls.port", tlsPort);
            status.put("stun.port", stunPort);
            status.put("advertised.host", advertised);
            writeProperties("relay.properties", status);
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gcs-relay-stats");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleAtFixedRate(this::writeStats, 1, 1, TimeUnit.SECONDS);
            LOG.log(Level.INFO, "GCS baseline relay " + relayId + " listening on tls://" + config.host() + ":" + tlsPort
                    + " stun " + (stunPort < 0 ? "off" : "udp://" + config.host() + ":" + stunPort));
        } catch (IOException | InterruptedException | RuntimeException e) {
            deactivate();
            throw e;
        }
    }

    private void writeStats() {
        try {
            writeProperties("stats.properties", new LinkedHashMap<>(stats.snapshot(registrations.size())));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "stats not written: " + e.getMessage());
        }
    }

    private void writeProperties(String name, Map<String, Object> values) throws IOException {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.createDirectories(stateDir);
        AtomicFiles.replace(stateDir.resolve(name), text.toString());
    }

    @Deactivate
    void deactivate() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        listeners.forEach(Channel::close);
        listeners.clear();
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        LOG.log(Level.INFO, "GCS baseline relay " + relayId + " stopped");
    }

    /** The bound TLS port (after activation). */
    int tlsPort() {
        return tlsPort;
    }

    /** The relay's id, which clients pin (after activation). */
    String relayId() {
        return relayId;
    }

    int stunPort() {
        return stunPort;
    }
}
