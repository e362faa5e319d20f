package io.c2f.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SearchMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleJsonTest {
    private static final Resolution LOW = Resolution.square(16);
    private static final Resolution HIGH = Resolution.square(32);

    static Schedule sample() {
        C2fPlan plan = Baselines.c2fUniform(10, 1000, 4, LOW, HIGH, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.BILINEAR, 0f);
        Provenance p = Provenance.newBuilder().setMethod(SearchMethod.SEARCH_METHOD_TRD)
                .setModelSha256("ab".repeat(32)).setCalibrationLoss(0.0123).setHeldoutLoss(0.0456)
                .setMacsPerImage(123_456_789L).setCalibrationSeeds(16).setHeldoutSeeds(64).setReferenceSteps(100)
                .setSearchSeconds(12.5).setCreatedAtMs(1_700_000_000_000L).setNotes("test")
                .setSampleQuality(io.c2f.proto.v1.SampleQuality.newBuilder().setShapeDetailFrechet(1.325)
                        .setShapeDetailFrechetFloor(0.664).setShapeDetailFrechetCeiling(66.5).setLaplacianRatio(0.574)
                        .setBandEnergyRatio(0.576).setSamples(149).setSampleSeedFirst(5_000_000L)
                        .setRealImages("emoji heldout-32x32 (149 images)")).build();
        return new Schedule("trd-k10-c2f", plan, p);
    }

    @Test
    void protoToJsonToProtoIsLossless() {
        Schedule s = sample();
        io.c2f.proto.v1.Schedule proto = s.toProto();
        String json = ScheduleJson.toJson(s);
        System.out.println(json);
        io.c2f.proto.v1.Schedule back = ScheduleJson.parseProto(json, "mem");
        assertEquals(proto, back);
        assertEquals(s, ScheduleJson.parse(json, "mem"));
        assertEquals(proto, Schedule.fromProto(proto).toProto());
    }

    @Test
    void fileRoundTripAndCatalog(@TempDir Path dir) {
        Schedule s = sample();
        Path f = ScheduleJson.write(dir, s);
        assertEquals(dir.resolve("trd-k10-c2f.json"), f);
        assertEquals(s, ScheduleJson.read(f));
        ScheduleJson.write(dir, s.withId("a-first"));
        assertEquals(2, ScheduleJson.readCatalog(dir).size());
        assertEquals("a-first", ScheduleJson.readCatalog(dir).get(0).id());
    }

    private static ScheduleFormatException bad(Path dir, String name, String json) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        ScheduleFormatException e = assertThrows(ScheduleFormatException.class, () -> ScheduleJson.read(f));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString() + ": field "), e.getMessage());
        return e;
    }

    @Test
    void badJsonNamesFileAndField(@TempDir Path dir) throws Exception {
        String good = ScheduleJson.toJson(sample());
        assertEquals("timestep", bad(dir, "unknown.json", good.replace("\"timesteps\"", "\"timestep\"")).field());
        assertEquals("timesteps[3]", bad(dir, "order.json",
                good.replaceFirst("\"timesteps\": \\[[^\\]]*\\]", "\"timesteps\": [900, 800, 700, 750, 100]"))
                .field());
        assertEquals("switch_index", bad(dir, "switch.json",
                good.replaceFirst("\"switchIndex\": 4", "\"switchIndex\": 40")).field());
        assertEquals("switch_method", bad(dir, "method.json",
                good.replace("SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED", "SWITCH_METHOD_UNSPECIFIED")).field());
        assertEquals("schedule_id", bad(dir, "id.json", good.replace("trd-k10-c2f", "bad id!")).field());
        assertEquals("provenance.model_sha256", bad(dir, "sha.json", good.replace("ab".repeat(32), "xyz")).field());
        assertEquals("low_resolution", bad(dir, "res.json", good.replaceFirst(
                "\"lowResolution\": \\{\\s*\"height\": 16", "\"lowResolution\": {\"height\": 15")).field());
        ScheduleFormatException value = bad(dir, "value.json",
                good.replaceFirst("\"switchIndex\": 4", "\"switchIndex\": \"four\""));
        assertTrue(value.getMessage().contains("four"), value.getMessage());
        assertEquals("switch_index", value.field());
        assertEquals("provenance.calibration_seeds", bad(dir, "nested.json",
                good.replace("\"calibrationSeeds\": 16", "\"calibrationSeeds\": -16")).field());
        bad(dir, "syntax.json", good.substring(0, good.length() / 2));
    }

    @Test
    void sampleQualityThatIsNotARealNumberInItsRangeIsRefused(@TempDir Path dir) throws Exception {
        String good = ScheduleJson.toJson(sample());
        assertEquals("provenance.sample_quality.laplacian_ratio", bad(dir, "nan.json",
                good.replace("\"laplacianRatio\": 0.574", "\"laplacianRatio\": \"NaN\"")).field());
        assertEquals("provenance.sample_quality.shape_detail_frechet", bad(dir, "negative.json",
                good.replace("\"shapeDetailFrechet\": 1.325", "\"shapeDetailFrechet\": -1.325")).field());
        assertEquals("provenance.sample_quality.band_energy_ratio", bad(dir, "infinite.json",
                good.replace("\"bandEnergyRatio\": 0.576", "\"bandEnergyRatio\": \"Infinity\"")).field());
        assertEquals("provenance.sample_quality.samples", bad(dir, "none.json",
                good.replace("\"samples\": 149,", "")).field());
        assertEquals("provenance.sample_quality.real_images", bad(dir, "long.json",
                good.replace("emoji heldout-32x32 (149 images)", "x".repeat(201))).field());
        // without the measures a schedule is as valid as before they existed
        Schedule plain = sample().withProvenance(sample().provenance().toBuilder().clearSampleQuality().build());
        assertEquals(plain, ScheduleJson.parse(ScheduleJson.toJson(plain), "mem"));
    }
}
