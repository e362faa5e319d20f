package io.c2f.models.c2f;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class C2fPlanTest {
    static final Resolution R16 = Resolution.square(16);
    static final Resolution R32 = Resolution.square(32);
    static final int[] TEN = {900, 800, 700, 600, 500, 400, 300, 200, 100, 0};

    static C2fPlan plan(int[] ts, int switchIndex) {
        return new C2fPlan(ts, switchIndex, R16, R32, SwitchMethod.RENOISE_X0, Interpolation.BILINEAR, 0f);
    }

    private static void assertInvalid(String message, Supplier<?> what) {
        InvalidPlanException e = assertThrows(InvalidPlanException.class, what::get);
        assertEquals(message, e.getMessage());
    }

    @Test
    void badPlansGivePreciseErrors() {
        assertInvalid("timesteps must be strictly decreasing: timesteps[3]=500 >= timesteps[2]=400",
                () -> plan(new int[] {900, 600, 400, 500, 0}, 0));
        assertInvalid("timesteps must be strictly decreasing: timesteps[1]=900 >= timesteps[0]=900",
                () -> plan(new int[] {900, 900}, 0));
        assertInvalid("timesteps must not be empty", () -> plan(new int[0], 0));
        assertInvalid("timestep -3 at timesteps[1] is negative", () -> plan(new int[] {5, -3}, 0));
        assertInvalid("switchIndex 12 > number of steps 10", () -> plan(TEN, 12));
        assertInvalid("switchIndex -1 is negative", () -> plan(TEN, -1));
        assertInvalid("high resolution 32x32 is not an integer multiple of low resolution 12x12",
                () -> new C2fPlan(TEN, 2, Resolution.square(12), R32, SwitchMethod.RENOISE_X0,
                        Interpolation.NEAREST, 0f));
        assertInvalid("high resolution 16x16 is not an integer multiple of low resolution 32x32",
                () -> new C2fPlan(TEN, 2, R32, R16, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f));
        assertInvalid("eta must be finite and >= 0, got -0.5",
                () -> new C2fPlan(TEN, 2, R16, R32, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, -0.5f));
        assertInvalid("eta must be finite and >= 0, got NaN",
                () -> new C2fPlan(TEN, 2, R16, R32, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, Float.NaN));
    }

    @Test
    void badPlansForAModel() {
        List<Resolution> model = List.of(R32, R16);
        InvalidPlanException e = assertThrows(InvalidPlanException.class,
                () -> plan(new int[] {1200, 500, 0}, 0).validateFor(1000, model));
        assertEquals("timestep 1200 out of range [0, 1000)", e.getMessage());
        e = assertThrows(InvalidPlanException.class,
                () -> new C2fPlan(TEN, 3, Resolution.square(8), R32, SwitchMethod.RENOISE_X0,
                        Interpolation.NEAREST, 0f).validateFor(1000, model));
        assertEquals("model has no 8x8 graph; it has [16x16, 32x32]", e.getMessage());
        e = assertThrows(InvalidPlanException.class,
                () -> C2fPlan.fullResolution(TEN, Resolution.square(64), 0f).validateFor(1000, model));
        assertEquals("model has no 64x64 graph; it has [16x16, 32x32]", e.getMessage());
        // No low phase: the low resolution is not needed.
        new C2fPlan(TEN, 0, Resolution.square(8), R32, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f)
                .validateFor(1000, model);
        plan(TEN, 10).validateFor(1000, model);
    }

    @Test
    void arraysAreCopiedAndEqualityIsByValue() {
        int[] ts = TEN.clone();
        C2fPlan p = plan(ts, 3);
        ts[0] = 999;
        assertEquals(900, p.timestep(0));
        p.timesteps()[0] = 999;
        assertEquals(900, p.timestep(0));
        assertEquals(plan(TEN, 3), p);
        assertEquals(plan(TEN, 3).hashCode(), p.hashCode());
        assertFalse(p.equals(plan(TEN, 4)));
        assertEquals(0, p.previousTimestep(8));
        assertEquals(-1, p.previousTimestep(9));
        assertTrue(p.isLowStep(2));
        assertFalse(p.isLowStep(3));
        assertEquals(R16, p.resolutionOf(2));
    }

    @Test
    void protoRoundTrip() throws Exception {
        C2fPlan p = new C2fPlan(TEN, 4, R16, R32, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.BILINEAR, 0.25f);
        Schedule s = p.toProto();
        assertEquals(Sampler.SAMPLER_DDIM, s.getSampler());
        assertEquals(io.c2f.proto.v1.SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED, s.getSwitchMethod());
        assertEquals(16, s.getLowResolution().getHeight());
        assertEquals(p, C2fPlan.fromProto(s));
        assertEquals(p, C2fPlan.fromProto(Schedule.parseFrom(s.toByteArray())));
        assertArrayEquals(TEN, C2fPlan.fromProto(s).timesteps());

        // A schedule without a switch needs neither method, interpolation nor low resolution.
        Schedule plain = Schedule.newBuilder().addAllTimesteps(List.of(500, 0))
                .setHighResolution(R32.toProto()).build();
        assertEquals(C2fPlan.fullResolution(new int[] {500, 0}, R32, 0f), C2fPlan.fromProto(plain));
    }

    @Test
    void badProtoSchedulesGivePreciseErrors() {
        Schedule good = new C2fPlan(TEN, 4, R16, R32, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f).toProto();
        assertInvalid("switch_method is unspecified but switch_index is 4",
                () -> C2fPlan.fromProto(good.toBuilder().clearSwitchMethod().build()));
        assertInvalid("interpolation is unspecified but switch_index is 4",
                () -> C2fPlan.fromProto(good.toBuilder().clearInterpolation().build()));
        assertInvalid("low_resolution is missing but switch_index is 4",
                () -> C2fPlan.fromProto(good.toBuilder().clearLowResolution().build()));
        assertInvalid("high_resolution is missing",
                () -> C2fPlan.fromProto(good.toBuilder().clearHighResolution().build()));
        assertInvalid("switchIndex 11 > number of steps 10",
                () -> C2fPlan.fromProto(good.toBuilder().setSwitchIndex(11).build()));
        assertInvalid("timestep 4294967295 at timesteps[1] out of range [0, 2147483647]",
                () -> C2fPlan.fromProto(good.toBuilder().setTimesteps(1, -1).build()));
        assertInvalid("timesteps must be strictly decreasing: timesteps[3]=800 >= timesteps[2]=700",
                () -> C2fPlan.fromProto(good.toBuilder().setTimesteps(3, 800).build()));
        assertInvalid("low_resolution must be positive, got 0x16",
                () -> C2fPlan.fromProto(good.toBuilder().setLowResolution(
                        io.c2f.proto.v1.Resolution.newBuilder().setWidth(16)).build()));
    }

    /** Readers of files (Schedule.fromProto) point at the field from the exception alone. */
    @Test
    void badProtoSchedulesNameTheProtoField() {
        Schedule good = new C2fPlan(TEN, 4, R16, R32, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, 0f).toProto();
        Map<String, Schedule> bad = new LinkedHashMap<>();
        bad.put("switch_method", good.toBuilder().clearSwitchMethod().build());
        bad.put("interpolation", good.toBuilder().clearInterpolation().build());
        bad.put("low_resolution", good.toBuilder().setLowResolution(R32.toProto()).setHighResolution(
                new Resolution(24, 24).toProto()).build());
        bad.put("high_resolution", good.toBuilder().clearHighResolution().build());
        bad.put("switch_index", good.toBuilder().setSwitchIndex(11).build());
        bad.put("timesteps[3]", good.toBuilder().setTimesteps(3, 800).build());
        bad.put("timesteps", good.toBuilder().clearTimesteps().setSwitchIndex(0).build());
        bad.put("eta", good.toBuilder().setEta(Float.NaN).build());
        bad.put("switch_noise", good.toBuilder().setSwitchNoiseValue(99).build());
        bad.put("low_phase_time", good.toBuilder().setLowPhaseTimeValue(99).build());
        bad.put("sampler", good.toBuilder().setSamplerValue(99).build());
        bad.forEach((field, schedule) -> assertEquals(field,
                assertThrows(InvalidPlanException.class, () -> C2fPlan.fromProto(schedule)).field(), field));
    }

    @Test
    void sharedPrefixes() {
        C2fPlan a = plan(TEN, 4);
        // The first 3 steps land on 800, 700, 600 in both; step 3 lands on 500 in a, on 300 in b.
        C2fPlan b = plan(new int[] {900, 800, 700, 600, 300, 0}, 4);
        assertTrue(a.sharesPrefix(b, 3));
        assertFalse(a.sharesPrefix(b, 4));
        C2fPlan c = plan(new int[] {900, 800, 700, 600, 500, 250, 0}, 4);
        assertTrue(a.sharesPrefix(c, 4));
        assertFalse(a.sharesPrefix(c, 5));
        // A later switch shares every low step before it; an earlier one does not.
        assertTrue(a.sharesPrefix(plan(TEN, 7), 4));
        assertFalse(a.sharesPrefix(plan(TEN, 3), 4));
        assertTrue(a.sharesPrefix(plan(TEN, 3), 3));
        // After the switch, the switch method matters.
        C2fPlan vc = new C2fPlan(TEN, 4, R16, R32, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.BILINEAR, 0f);
        assertTrue(a.sharesPrefix(vc, 4));
        assertFalse(a.sharesPrefix(vc, 5));
        assertFalse(a.sharesPrefix(new C2fPlan(TEN, 4, R16, R32, SwitchMethod.RENOISE_X0,
                Interpolation.BILINEAR, 0.5f), 1));
        assertTrue(a.sharesPrefix(a, 10));
        assertFalse(a.sharesPrefix(b, 7));
        // The switch noise matters once the switch has run; the low-phase time from the first step.
        C2fPlan fresh = a.withSwitch(a.switchMethod(), a.interpolation(), SwitchNoise.FRESH, LowPhaseTime.SAME);
        assertTrue(a.sharesPrefix(fresh, 4));
        assertFalse(a.sharesPrefix(fresh, 5));
        C2fPlan matched = a.withSwitch(a.switchMethod(), a.interpolation(), a.switchNoise(), LowPhaseTime.SNR_MATCHED);
        assertTrue(a.sharesPrefix(matched, 0));
        assertFalse(a.sharesPrefix(matched, 1));
    }

    @Test
    void switchNoiseAndLowPhaseTimeTravelAndOldSchedulesKeepTheirMeaning() throws Exception {
        C2fPlan p = new C2fPlan(TEN, 4, R16, R32, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                Interpolation.NEAREST, 0f, SwitchNoise.CONTINUOUS, LowPhaseTime.SNR_MATCHED);
        Schedule s = p.toProto();
        assertEquals(io.c2f.proto.v1.SwitchNoise.SWITCH_NOISE_CONTINUOUS, s.getSwitchNoise());
        assertEquals(io.c2f.proto.v1.LowPhaseTime.LOW_PHASE_TIME_SNR_MATCHED, s.getLowPhaseTime());
        assertEquals(p, C2fPlan.fromProto(Schedule.parseFrom(s.toByteArray())));
        // a schedule written before the fields existed switches as it always did
        C2fPlan old = C2fPlan.fromProto(s.toBuilder().clearSwitchNoise().clearLowPhaseTime().build());
        assertEquals(SwitchNoise.FRESH, old.switchNoise());
        assertEquals(LowPhaseTime.SAME, old.lowPhaseTime());
        assertNotEquals(p, old);
        // new plans in code default to noise continuity
        assertEquals(SwitchNoise.CONTINUOUS, plan(TEN, 4).switchNoise());
        // where nothing switches, neither field changes the plan
        C2fPlan full = C2fPlan.fullResolution(TEN, R32, 0f);
        assertEquals(full, full.withSwitch(full.switchMethod(), full.interpolation(), SwitchNoise.FRESH,
                LowPhaseTime.SNR_MATCHED));
        assertEquals(full.hashCode(), full.withSwitch(full.switchMethod(), full.interpolation(),
                SwitchNoise.FRESH, LowPhaseTime.SNR_MATCHED).hashCode());
        assertInvalid("unknown switch_noise 7", () -> C2fPlan.fromProto(s.toBuilder().setSwitchNoiseValue(7).build()));
        assertInvalid("unknown low_phase_time 9",
                () -> C2fPlan.fromProto(s.toBuilder().setLowPhaseTimeValue(9).build()));
    }
}
