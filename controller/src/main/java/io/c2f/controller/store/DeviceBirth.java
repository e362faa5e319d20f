package io.c2f.controller.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.DelegateInfo;
import java.util.List;

/**
 * What a birth tells about a device, in storable form.
 *
 * @param hardwareJson Hardware in the protobuf JSON mapping
 * @param delegatesJson the delegate chain as a JSON array (protobuf JSON mapping per element)
 * @param capabilities what the agent announced it implements (Birth.capabilities; none from older agents)
 */
public record DeviceBirth(
        String deviceId,
        String fleet,
        long bdSeq,
        long atMs,
        String agentVersion,
        String hardwareJson,
        String delegatesJson,
        List<String> labels,
        String bundleId,
        String bundleVersion,
        String bundleModelSha256,
        String bundleSlot,
        String scheduleId,
        List<String> capabilities) {

    public DeviceBirth {
        labels = List.copyOf(labels);
        capabilities = List.copyOf(capabilities);
    }

    public static DeviceBirth from(String fleet, Birth b, long atMs) {
        StringBuilder delegates = new StringBuilder("[");
        for (DelegateInfo d : b.getDelegatesList()) {
            if (delegates.length() > 1) {
                delegates.append(',');
            }
            delegates.append(json(d));
        }
        delegates.append(']');
        return new DeviceBirth(b.getDeviceId(), fleet, b.getHeader().getBdSeq(), atMs, b.getAgentVersion(),
                json(b.getHardware()), delegates.toString(), b.getLabelsList(),
                b.getInstalled().getBundleId(), b.getInstalled().getVersion(), b.getInstalled().getModelSha256(),
                b.getInstalled().getSlot(), b.getScheduleId(), b.getCapabilitiesList());
    }

    private static String json(MessageOrBuilder m) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(m);
        } catch (InvalidProtocolBufferException e) {
            // only possible with Any fields, which these messages do not have
            throw new IllegalStateException("cannot render " + m.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
