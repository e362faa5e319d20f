package io.c2f.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.link.Backoff;
import io.c2f.agent.link.DeviceLink;
import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.testing.BrokerKind;
import io.c2f.proto.testing.TestBroker;
import io.c2f.agent.testing.MqttObserver;
import io.c2f.agent.testing.TcpProxy;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Telemetry through a real broker that goes away and comes back. */
class TelemetryDeliveryTest {
    @TempDir
    Path tmp;

    private static Telemetry record(int i) {
        return Telemetry.newBuilder().setDeviceId("dev-1")
                .setGeneration(GenerationRecord.newBuilder().setRequestId("r" + i).setTotalMillis(i)).build();
    }

    @ParameterizedTest
    @EnumSource(BrokerKind.class)
    void recordsSpooledWhileTheBrokerIsDownArriveInOrderAfterItReturns(BrokerKind kind) throws Exception {
        assumeTrue(kind.available(), kind + " is not installed");
        int capacity = 50;
        try (TestBroker broker = kind.start(tmp.resolve("broker"));
             // the device reaches the broker through a door the test opens only once its observer
             // is subscribed again, so nothing is published to nobody after the restart
             TcpProxy door = new TcpProxy(broker.port())) {
            LinkSettings settings = LinkSettings.of(door.uri(), "t", "dev-1", tmp.resolve("state"))
                    .withTimings(Duration.ofSeconds(2), new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)));
            TelemetrySpool spool = new TelemetrySpool(tmp.resolve("spool"), capacity);
            List<Telemetry> seen = new ArrayList<>();
            try (DeviceLink link = new DeviceLink(settings, () -> Birth.getDefaultInstance(), new InboundDispatcher(),
                    new DeviceLink.Listener() { });
                 TelemetryPump pump = new TelemetryPump(spool, r -> link.publish(Channel.TELEMETRY, r),
                         Duration.ofSeconds(5), Duration.ofMillis(100))) {
                MqttObserver observer = new MqttObserver(broker.uri(), "observer", "c2f/v1/t/device/+/telemetry");
                link.start();
                for (int i = 0; i < 20; i++) {
                    spool.append(record(i));
                    pump.wake();
                }
                for (int i = 0; i < 20; i++) {
                    seen.add(observer.await(in -> true, Duration.ofSeconds(15)).as(Telemetry.class));
                }
                observer.close();

                door.refuse(true);
                broker.stop();
                // offline: 70 more records into a spool of 50 -> the 20 oldest of them are dropped
                for (int i = 20; i < 90; i++) {
                    spool.append(record(i));
                }
                broker.restart();
                MqttObserver after = MqttObserver.connectWithin(Duration.ofSeconds(10), broker.uri(), "observer2",
                        "c2f/v1/t/device/+/telemetry");
                door.refuse(false);
                pump.wake();
                for (int i = 0; i < capacity; i++) {
                    Inbound in = after.await(x -> true, Duration.ofSeconds(20));
                    seen.add(in.as(Telemetry.class));
                }
                after.close();
            }
            // the controller de-duplicates by telemetry_seq (a resend after a lost PUBACK is legal)
            TreeSet<Long> seqs = new TreeSet<>();
            long dropped = 0;
            long previous = 0;
            for (Telemetry t : seen) {
                if (!seqs.add(t.getTelemetrySeq())) {
                    continue;
                }
                assertEquals(previous + 1 + t.getDroppedBefore(), t.getTelemetrySeq(),
                        "order kept, every gap announced by dropped_before");
                dropped += t.getDroppedBefore();
                previous = t.getTelemetrySeq();
            }
            assertEquals(90, previous, "the last record arrived");
            assertEquals(20, dropped, "exactly the overflow of the spool was dropped");
            assertEquals(70, seqs.size());
        }
    }
}
