package io.c2f.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.c2f.controller.store.DeviceBirth;
import io.c2f.controller.store.DeviceRecord;
import io.c2f.controller.store.DeviceStatus;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device API says which engine and link run the bundle, from the chain the birth announced. */
class DeviceJsonTest {
    private static DeviceRecord record(String delegatesJson) {
        return new DeviceRecord("rpi-1", "lab", List.of(), null, delegatesJson, "0.1.0", null, null, null, null,
                null, 1, DeviceStatus.ONLINE, null, 0, 0, 0, null, null, 0, 0, 0, 0, List.of());
    }

    @Test
    void theActiveLinkNamesTheEngine() throws Exception {
        Birth birth = Birth.newBuilder().setDeviceId("rpi-1").setEngine("onnx")
                .addDelegates(DelegateInfo.newBuilder().setName("tflite-xnnpack").setEngine("tflite")
                        .setStatus(DelegateStatus.DELEGATE_STATUS_UNAVAILABLE)
                        .setReason("TFLite natives not available on linux-aarch64"))
                .addDelegates(DelegateInfo.newBuilder().setName("onnx-cpu").setEngine("onnx")
                        .setStatus(DelegateStatus.DELEGATE_STATUS_ACTIVE).setReason("opened the bundle's model"))
                .build();
        String chain = DeviceBirth.from("lab", birth, 0).delegatesJson();
        JsonObject o = ApiVerticle.toJson(record(chain));
        assertEquals("onnx", o.getString("engine"));
        assertEquals("onnx-cpu", o.getString("engineLink"));
        assertEquals("TFLite natives not available on linux-aarch64",
                o.getJsonArray("delegates").getJsonObject(0).getString("reason"));
        assertFalse(ApiVerticle.toJson(record("[]")).containsKey("engine"), "no bundle running: no engine");
    }
}
