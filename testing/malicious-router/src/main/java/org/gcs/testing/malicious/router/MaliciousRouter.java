package org.gcs.testing.malicious.router;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.Router;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * TEST ONLY: a {@link Router} that wraps the central router ({@code (gcs.routing=central)}) and, as configured, tampers
 * with the {@code NodeFrame}s it routes, as a compromised node would. A node uses it when configured with
 * {@code Router.target=(gcs.routing=malicious)}; the node core is unchanged. Modes ({@code mode}, changeable at
 * runtime):
 *
 * <ul>
 *   <li>{@code none}: routes faithfully.
 *   <li>{@code rewrite-caller}: every ConnectRequest claims to come from {@code impersonate} (a friend of the callee);
 *       the router relays the rest of the connection under a fresh connection id so both ends still hear each other.
 *   <li>{@code swap-offer-fingerprint} / {@code swap-answer-fingerprint}: replaces the QUIC certificate fingerprint
 *       inside the offer (ConnectRequest) or answer (ConnectResult) with the attacker's.
 *   <li>{@code replay}: records the first ConnectRequest and delivers it again in place of every later one (the result
 *       is mapped back so the caller hears it).
 *   <li>{@code alter-signals}: flips the last byte of every trickled signal's payload.
 * </ul>
 *
 * The fingerprint is found by the transport's description format ({@code "GI"}, version, kind, ufrag, password,
 * fingerprint length, fingerprint; see transport-ice {@code WireCodec}). A message whose sender it forged is handed
 * straight to the recipient's {@link DeviceSink} (the central router would refuse a sender nobody vouches for); the
 * node core's checks on the recipient's side still apply, as they would at an honest node receiving it.
 */
@Component(service = Router.class, configurationPid = MaliciousRouter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"gcs.routing=malicious", "service.ranking:Integer=1000"})
@Designate(ocd = MaliciousRouter.Config.class)
public final class MaliciousRouter implements Router {
    public static final String PID = "org.gcs.testing.malicious.router";
    private static final Logger LOG = System.getLogger(MaliciousRouter.class.getName());
    private static final byte[] ATTACKER_FINGERPRINT = new byte[32];

    static {
        java.util.Arrays.fill(ATTACKER_FINGERPRINT, (byte) 0x66);
    }

    @ObjectClassDefinition(name = "GCS malicious router (tests only)")
    public @interface Config {
        @AttributeDefinition(description = "none | rewrite-caller | swap-offer-fingerprint | swap-answer-fingerprint | replay")
        String mode() default "none";

        @AttributeDefinition(description = "rewrite-caller: the user id to claim as caller")
        String impersonate() default "";
    }

    /** One connection relayed under a different id: the real caller and the two ids. */
    private record Relay(ByteString realId, ByteString fakeId, UserId realUser, DeviceId realDevice, UserId fakeUser) {
    }

    @Reference(target = "(gcs.routing=central)")
    private Router central;

    private final SecureRandom random = new SecureRandom();
    private final Map<ByteString, Relay> byRealId = new ConcurrentHashMap<>();
    private final Map<ByteString, Relay> byFakeId = new ConcurrentHashMap<>();
    private final Map<Endpoint, DeviceSink> sinks = new ConcurrentHashMap<>();
    private volatile String mode = "none";
    private volatile UserId impersonate;
    private volatile RoutedMessage recorded;

    @Activate
    @Modified
    void configure(Config config) {
        mode = config.mode().trim();
        impersonate = config.impersonate().isBlank() ? null : UserId.parse(config.impersonate().trim());
        LOG.log(Level.WARNING, "MALICIOUS ROUTER (tests only) mode " + mode
                + (impersonate != null ? ", impersonating " + impersonate : ""));
    }

    @Override
    public CompletableFuture<Void> start(NodeAddress self) {
        return central.start(self);
    }

    @Override
    public CompletableFuture<Void> stop() {
        return central.stop();
    }

    @Override
    public CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        return central.handlers(user);
    }

    @Override
    public CompletableFuture<Void> attach(Presence presence, DeviceSink sink) {
        sinks.put(presence.device(), sink);
        return central.attach(presence, sink);
    }

    @Override
    public CompletableFuture<Void> detach(Endpoint device, DeviceSink sink) {
        sinks.remove(device, sink);
        return central.detach(device, sink);
    }

    @Override
    public CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target) {
        return central.devices(requester, target);
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        NodeFrame frame;
        try {
            frame = NodeFrame.parseFrom(message.payload());
        } catch (InvalidProtocolBufferException e) {
            return central.deliver(message);
        }
        RoutedMessage out = switch (frame.getBodyCase()) {
            case CONNECT_REQUEST -> connectRequest(message, frame.getConnectRequest());
            case CONNECT_RESULT -> connectResult(message, frame.getConnectResult());
            case SIGNAL -> signal(message, frame.getSignal());
            default -> message;
        };
        if (out.from().equals(message.from())) {
            return central.deliver(out);
        }
        DeviceSink sink = sinks.get(out.to());
        return sink == null ? CompletableFuture.failedFuture(new DeviceOfflineException(out.to() + " is not online"))
                : sink.deliver(out);
    }

    private RoutedMessage connectRequest(RoutedMessage m, NodeWire.ConnectRequest r) {
        switch (mode) {
            case "rewrite-caller" -> {
                UserId fake = impersonate;
                if (fake == null) {
                    return m;
                }
                byte[] id = new byte[16];
                random.nextBytes(id);
                Relay relay = new Relay(r.getConnectionId(), ByteString.copyFrom(id), m.from().user(), m.from().device(), fake);
                byRealId.put(relay.realId(), relay);
                byFakeId.put(relay.fakeId(), relay);
                LOG.log(Level.WARNING, "MALICIOUS: ConnectRequest from " + m.from().user() + " rewritten to come from " + fake);
                return new RoutedMessage(m.origin(), m.kind(), new Endpoint(fake, m.from().device()), m.to(), m.toNode(),
                        NodeFrame.newBuilder().setConnectRequest(r.toBuilder().setConnectionId(relay.fakeId())
                                .setCallerUser(fake.toString())).build().toByteArray());
            }
            case "swap-offer-fingerprint" -> {
                LOG.log(Level.WARNING, "MALICIOUS: offer fingerprint swapped");
                return with(m, NodeFrame.newBuilder().setConnectRequest(r.toBuilder()
                        .setOffer(swapFingerprint(r.getOffer()))).build());
            }
            case "replay" -> {
                RoutedMessage old = recorded;
                if (old == null) {
                    recorded = m;
                    return m;
                }
                try {
                    ByteString oldId = NodeFrame.parseFrom(old.payload()).getConnectRequest().getConnectionId();
                    Relay relay = new Relay(r.getConnectionId(), oldId, m.from().user(), m.from().device(), m.from().user());
                    byFakeId.put(oldId, relay);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
                LOG.log(Level.WARNING, "MALICIOUS: replaying an old ConnectRequest instead of " + m);
                return old;
            }
            default -> {
                return m;
            }
        }
    }

    private RoutedMessage connectResult(RoutedMessage m, NodeWire.ConnectResult r) {
        Relay relay = byFakeId.get(r.getConnectionId());
        if (relay != null) {
            m = new RoutedMessage(m.origin(), m.kind(), m.from(), new Endpoint(relay.realUser(), relay.realDevice()), m.toNode(),
                    NodeFrame.newBuilder().setConnectResult(r.toBuilder().setConnectionId(relay.realId())).build().toByteArray());
            r = r.toBuilder().setConnectionId(relay.realId()).build();
        }
        if ("swap-answer-fingerprint".equals(mode) && !r.getAnswer().isEmpty()) {
            LOG.log(Level.WARNING, "MALICIOUS: answer fingerprint swapped");
            return with(m, NodeFrame.newBuilder().setConnectResult(r.toBuilder()
                    .setAnswer(swapFingerprint(r.getAnswer()))).build());
        }
        return m;
    }

    private RoutedMessage signal(RoutedMessage m, NodeWire.Signal s) {
        if ("alter-signals".equals(mode) && !s.getPayload().isEmpty()) {
            byte[] p = s.getPayload().toByteArray();
            p[p.length - 1] ^= 1;
            LOG.log(Level.WARNING, "MALICIOUS: trickled signal " + s.getSequence() + " altered");
            return with(m, NodeFrame.newBuilder().setSignal(s.toBuilder().setPayload(ByteString.copyFrom(p))).build());
        }
        Relay toCallee = byRealId.get(s.getConnectionId());
        if (toCallee != null && m.from().user().equals(toCallee.realUser())) {
            return new RoutedMessage(m.origin(), m.kind(), new Endpoint(toCallee.fakeUser(), m.from().device()), m.to(),
                    m.toNode(), NodeFrame.newBuilder().setSignal(s.toBuilder().setConnectionId(toCallee.fakeId()))
                            .build().toByteArray());
        }
        Relay toCaller = byFakeId.get(s.getConnectionId());
        if (toCaller != null && !toCaller.realUser().equals(toCaller.fakeUser())) {
            return new RoutedMessage(m.origin(), m.kind(), m.from(), new Endpoint(toCaller.realUser(), toCaller.realDevice()),
                    m.toNode(), NodeFrame.newBuilder().setSignal(s.toBuilder().setConnectionId(toCaller.realId()))
                            .build().toByteArray());
        }
        return m;
    }

    private static RoutedMessage with(RoutedMessage m, NodeFrame frame) {
        return m.withPayload(frame.toByteArray());
    }

    /** Overwrites the 32-byte certificate fingerprint inside a transport description, if it has the expected shape. */
    static ByteString swapFingerprint(ByteString description) {
        byte[] d = description.toByteArray();
        try {
            int i = 4;                       // "GI", version, kind
            i += 1 + (d[i] & 0xff);          // ufrag
            i += 1 + (d[i] & 0xff);          // password
            int fpLength = d[i] & 0xff;
            i += 1;
            if (d[0] != 'G' || d[1] != 'I' || fpLength != 32 || i + 32 > d.length) {
                d[d.length - 1] ^= 1;        // not the expected format: flip a byte instead
                return ByteString.copyFrom(d);
            }
            System.arraycopy(ATTACKER_FINGERPRINT, 0, d, i, 32);
            return ByteString.copyFrom(d);
        } catch (ArrayIndexOutOfBoundsException e) {
            return description;
        }
    }
}
