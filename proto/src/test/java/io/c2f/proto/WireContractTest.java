package io.c2f.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import io.c2f.proto.codec.InvalidMessageException;
import io.c2f.proto.codec.UnsupportedProtocolException;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleProto;
import io.c2f.proto.v1.CommonProto;
import io.c2f.proto.v1.DeviceProto;
import io.c2f.proto.v1.EnrolProto;
import io.c2f.proto.v1.GenerateProto;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.JobProto;
import io.c2f.proto.v1.ScheduleProto;
import io.c2f.proto.v1.Telemetry;
import io.c2f.proto.v1.TelemetryProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WireContractTest {
    private static final List<FileDescriptor> FILES = List.of(CommonProto.getDescriptor(),
            ScheduleProto.getDescriptor(), DeviceProto.getDescriptor(), TelemetryProto.getDescriptor(),
            BundleProto.getDescriptor(), JobProto.getDescriptor(), GenerateProto.getDescriptor(),
            EnrolProto.getDescriptor());

    @ParameterizedTest
    @EnumSource(Channel.class)
    void everyChannelRoundTripsThroughTheCodec(Channel channel) throws Exception {
        Message example = ExampleMessages.of(channel);
        byte[] wire = WireCodec.encode(channel, example);
        Message back = WireCodec.decode(GoldenVectorsTest.topicOf(channel), wire).message();
        assertEquals(example, back);
    }

    @Test
    void extraExamplesRoundTrip() throws Exception {
        for (Message m : ExampleMessages.extras()) {
            assertEquals(m, m.getParserForType().parseFrom(m.toByteArray()), m.getDescriptorForType().getName());
        }
    }

    @Test
    void theExamplesReachEveryMessageTypeOfTheContract() {
        Set<String> declared = new TreeSet<>();
        for (FileDescriptor file : FILES) {
            file.getMessageTypes().forEach(d -> collect(d, declared));
        }
        Set<String> reached = new TreeSet<>();
        List<Message> examples = new ArrayList<>(ExampleMessages.all().values());
        examples.addAll(ExampleMessages.extras());
        examples.forEach(m -> walk(m, reached));
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(reached);
        assertTrue(missing.isEmpty(), "message types no example covers: " + missing);
    }

    private static void collect(Descriptor d, Set<String> out) {
        if (d.getOptions().getMapEntry()) {
            return;
        }
        out.add(d.getFullName());
        d.getNestedTypes().forEach(n -> collect(n, out));
    }

    private static void walk(Message m, Set<String> reached) {
        reached.add(m.getDescriptorForType().getFullName());
        for (var entry : m.getAllFields().entrySet()) {
            FieldDescriptor f = entry.getKey();
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (f.isRepeated()) {
                for (Object o : (List<?>) entry.getValue()) {
                    walk((Message) o, reached);
                }
            } else {
                walk((Message) entry.getValue(), reached);
            }
        }
    }

    @Test
    void encodeRefusesAMessageOfAnotherType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WireCodec.encode(Channel.TELEMETRY, ExampleMessages.of(Channel.BIRTH)));
        assertEquals("TELEMETRY carries Telemetry, not Birth", e.getMessage());
    }

    @Test
    void aDevicePublishingUnderAnotherIdIsRefused() {
        Birth spoof = ((Birth) ExampleMessages.of(Channel.BIRTH)).toBuilder().setDeviceId("cam-001").build();
        InvalidMessageException e = assertThrows(InvalidMessageException.class,
                () -> WireCodec.decode("c2f/v1/demo/device/cam-042/birth", spoof.toByteArray()));
        assertEquals("device_id", e.field());
        assertTrue(e.getMessage().contains("'cam-001' does not match the device id 'cam-042'"), e.getMessage());
    }

    @Test
    void anotherProtocolMajorVersionIsRefused() {
        Telemetry t = (Telemetry) ExampleMessages.of(Channel.TELEMETRY);
        Telemetry v2 = t.toBuilder().setHeader(t.getHeader().toBuilder().setProtocolMajor(2)).build();
        UnsupportedProtocolException e = assertThrows(UnsupportedProtocolException.class,
                () -> WireCodec.decode("c2f/v1/demo/device/cam-042/telemetry", v2.toByteArray()));
        assertTrue(e.getMessage().contains("protocol major version 2"), e.getMessage());
    }

    @Test
    void requiredFieldsAreNamed() {
        GenerateRequest r = ((GenerateRequest) ExampleMessages.of(Channel.GENERATE_REQUEST)).toBuilder()
                .setCount(0).build();
        InvalidMessageException e = assertThrows(InvalidMessageException.class,
                () -> WireCodec.decode("c2f/v1/demo/device/cam-042/generate/request", r.toByteArray()));
        assertEquals("count", e.field());
        assertEquals("count must be 1..64, got 0", e.getMessage());
    }

    @Test
    void anEnrolmentRequestWithAWeakCredentialIsRefusedWithoutEchoingIt() {
        io.c2f.proto.v1.EnrolmentRequest r = ((io.c2f.proto.v1.EnrolmentRequest) ExampleMessages.of(Channel.ENROL_REQUEST))
                .toBuilder().setCredential("hunter2").build();
        InvalidMessageException e = assertThrows(InvalidMessageException.class,
                () -> WireCodec.decode("c2f/v1/demo/device/cam-042/enrol/request", r.toByteArray()));
        assertEquals("credential", e.field());
        assertTrue(e.getMessage().contains("got 7 characters"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), "the error must not echo the credential: " + e.getMessage());
    }

    @Test
    void anEnrolmentRequestForAnotherIdIsRefused() {
        io.c2f.proto.v1.EnrolmentRequest r = ((io.c2f.proto.v1.EnrolmentRequest) ExampleMessages.of(Channel.ENROL_REQUEST))
                .toBuilder().setDeviceId("cam-001").build();
        InvalidMessageException e = assertThrows(InvalidMessageException.class,
                () -> WireCodec.decode("c2f/v1/demo/device/cam-042/enrol/request", r.toByteArray()));
        assertEquals("device_id", e.field());
    }

    @Test
    void unknownFieldsFromANewerMinorVersionAreKept() throws Exception {
        // a newer sender adds field 99 to Birth: an older receiver must accept and keep it
        byte[] base = ExampleMessages.of(Channel.BIRTH).toByteArray();
        byte[] tag = encodeField99();
        byte[] wire = new byte[base.length + tag.length];
        System.arraycopy(base, 0, wire, 0, base.length);
        System.arraycopy(tag, 0, wire, base.length, tag.length);
        Message decoded = WireCodec.decode("c2f/v1/demo/device/cam-042/birth", wire).message();
        assertTrue(decoded.getUnknownFields().hasField(99));
        assertEquals(wire.length, decoded.toByteArray().length, "unknown field dropped on re-encode");
    }

    @Test
    void aBirthFromBeforeCapabilitiesAnnouncesNone() throws Exception {
        // the committed birth vector predates the field: such an agent is an old one (whole payloads)
        byte[] golden;
        try (var in = WireContractTest.class.getResourceAsStream("/golden/birth.bin")) {
            golden = in.readAllBytes();
        }
        Birth old = (Birth) WireCodec.decode(GoldenVectorsTest.topicOf(Channel.BIRTH), golden).message();
        assertEquals(0, old.getCapabilitiesCount());
        assertTrue(DeviceCapabilities.BUNDLE_DELTA.matches("[a-z0-9.-]{1,64}"));
    }

    @Test
    void capabilitiesRoundTripAndBadOnesAreRefusedByName() throws Exception {
        Birth example = (Birth) ExampleMessages.of(Channel.BIRTH);
        String topic = GoldenVectorsTest.topicOf(Channel.BIRTH);
        Birth delta = example.toBuilder().addCapabilities(DeviceCapabilities.BUNDLE_DELTA).build();
        assertEquals(delta, WireCodec.decode(topic, delta.toByteArray()).message());
        for (var bad : List.of(List.of("Bundle Delta"), List.of(""), List.of("x".repeat(65)),
                List.of("bundle-delta", "bundle-delta"), java.util.Collections.nCopies(33, "a"))) {
            Birth b = example.toBuilder().addAllCapabilities(bad).build();
            InvalidMessageException e = assertThrows(InvalidMessageException.class,
                    () -> WireCodec.decode(topic, b.toByteArray()), bad.toString());
            assertEquals("capabilities", e.field());
        }
    }

    private static byte[] encodeField99() throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        var coded = com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.writeUInt64(99, 1);
        coded.flush();
        return out.toByteArray();
    }
}
