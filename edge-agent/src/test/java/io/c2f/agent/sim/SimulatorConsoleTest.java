package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.bundle.Ed25519Keys;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's console: parsing, selection by id / label / all, effect on speeds, answers. */
class SimulatorConsoleTest {
    private static FleetSimulator.SimulatedDevice device(String id, String speed, long cost) {
        return new FleetSimulator.SimulatedDevice(id, Map.of("sim", "true", "speed", speed), null, new DeviceSpeed(cost));
    }

    private final List<FleetSimulator.SimulatedDevice> fleet = List.of(device("sim-0000", "fast", 1000),
            device("sim-0001", "slow", 3000), device("sim-0002", "slow", 2500), device("sim-0003", "mid", 2000));

    @Test
    void parsesEachCommand() {
        SimulatorCommand slow = SimulatorCommand.parse("  slow sim-0001,sim-0003   2.5 ");
        assertEquals(SimulatorCommand.Action.SLOW, slow.action());
        assertEquals(2.5, slow.factor());
        assertEquals(java.util.Set.of("sim-0001", "sim-0003"), slow.selector().ids());
        SimulatorCommand label = SimulatorCommand.parse("SLOW speed=slow 3");
        assertEquals("speed", label.selector().labelKey());
        assertEquals("slow", label.selector().labelValue());
        assertTrue(SimulatorCommand.parse("recover all").selector().all());
        assertEquals(SimulatorCommand.Action.STATUS, SimulatorCommand.parse("status").action());
        SimulatorCommand pause = SimulatorCommand.parse(" TELEMETRY Pause sim-0001,sim-0002 ");
        assertEquals(SimulatorCommand.Action.PAUSE_RECORDS, pause.action());
        assertEquals(java.util.Set.of("sim-0001", "sim-0002"), pause.selector().ids());
        SimulatorCommand resume = SimulatorCommand.parse("telemetry resume speed=slow");
        assertEquals(SimulatorCommand.Action.RESUME_RECORDS, resume.action());
        assertEquals("speed", resume.selector().labelKey());
        assertEquals(SimulatorCommand.Action.RECORDS_STATUS, SimulatorCommand.parse("telemetry status").action());
    }

    @Test
    void rejectsBadTelemetryLinesNamingWhatWasWrong() {
        assertEquals("usage: telemetry pause SELECTOR | telemetry resume SELECTOR | telemetry status (got 'telemetry')",
                assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("telemetry")).getMessage());
        assertEquals("usage: telemetry pause SELECTOR (got 'telemetry pause')", assertThrows(
                IllegalArgumentException.class, () -> SimulatorCommand.parse("telemetry pause")).getMessage());
        assertEquals("usage: telemetry resume SELECTOR (got 'telemetry resume all now')", assertThrows(
                IllegalArgumentException.class, () -> SimulatorCommand.parse("telemetry resume all now")).getMessage());
        assertEquals("usage: telemetry status (got 'telemetry status all')", assertThrows(
                IllegalArgumentException.class, () -> SimulatorCommand.parse("telemetry status all")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("telemetry pause a/b"))
                .getMessage().contains("'a/b' in 'a/b' is not a device id"));
        assertEquals("unknown telemetry command 'stop'; usage: telemetry pause SELECTOR | telemetry resume SELECTOR | "
                + "telemetry status", assertThrows(IllegalArgumentException.class,
                        () -> SimulatorCommand.parse("telemetry stop all")).getMessage());
    }

    /** On real (not started) agents: pausing and resuming flips only the selected ones, status counts them. */
    @Test
    void pausesAndResumesTheSelectedDevicesRecordsAndCountsTheirSpools(@TempDir Path dir) throws Exception {
        FleetSimulator.Plan plan = new FleetSimulator.Plan("tcp://127.0.0.1:1", "t", "sim", 3, 1000, 3, 0.0, 0.0, 7,
                dir.resolve("state"));
        try (FleetSimulator sim = new FleetSimulator(plan, Ed25519Keys.generate().getPublic())) {
            SimulatorConsole console = new SimulatorConsole(sim.devices());
            assertEquals("cmd ok telemetry status: 0 of 3 paused, 0 spooled", console.handle("telemetry status"));
            assertEquals("cmd ok telemetry pause sim-0000: 1 devices sim-0000", console.handle("telemetry pause sim-0000"));
            assertEquals("cmd ok telemetry pause sim-0002: 1 devices sim-0002", console.handle("telemetry pause sim-0002"));
            assertEquals(List.of(true, false, true), sim.devices().stream().map(d -> d.agent().recordsPaused()).toList());
            assertEquals("cmd ok telemetry status: 2 of 3 paused, 0 spooled", console.handle("telemetry status"));
            assertEquals("cmd error no device matches 'nosuch-1'", console.handle("telemetry pause nosuch-1"));
            assertEquals("cmd ok telemetry resume all: 3 devices sim-0000,sim-0001,sim-0002",
                    console.handle("telemetry resume all"));
            assertEquals(List.of(false, false, false), sim.devices().stream().map(d -> d.agent().recordsPaused()).toList());
            assertEquals("cmd ok telemetry status: 0 of 3 paused, 0 spooled", console.handle("telemetry status"));
        }
    }

    @Test
    void rejectsBadLinesNamingWhatWasWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all"))
                .getMessage().contains("usage: slow SELECTOR FACTOR"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all fast"))
                .getMessage().contains("'fast' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all -2"))
                .getMessage().contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all 0"))
                .getMessage().contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow a/b 2"))
                .getMessage().contains("'a/b' in 'a/b' is not a device id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow speed= 2"))
                .getMessage().contains("key=value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("speedup all 2"))
                .getMessage().contains("unknown command 'speedup'"));
    }

    @Test
    void slowsAndRecoversTheSelectedDevicesOnly() {
        SimulatorConsole console = new SimulatorConsole(fleet);
        assertEquals("cmd ok slow speed=slow x3.0: 2 devices sim-0001,sim-0002", console.handle("slow speed=slow 3"));
        assertEquals(9000, fleet.get(1).speed().nanosPerMegaMac());
        assertEquals(7500, fleet.get(2).speed().nanosPerMegaMac());
        assertEquals(1000, fleet.get(0).speed().nanosPerMegaMac());
        assertEquals(2000, fleet.get(3).speed().nanosPerMegaMac());
        // cumulative: slowing again multiplies the current cost
        console.handle("slow sim-0001 2");
        assertEquals(18000, fleet.get(1).speed().nanosPerMegaMac());
        assertEquals(6.0, fleet.get(1).speed().factor());
        assertEquals("cmd ok status: 2 of 4 slowed sim-0001,sim-0002", console.handle("status"));
        assertEquals("cmd ok recover sim-0001: 1 devices sim-0001", console.handle("recover sim-0001"));
        assertEquals(3000, fleet.get(1).speed().nanosPerMegaMac());
        console.handle("recover all");
        assertEquals(2500, fleet.get(2).speed().nanosPerMegaMac());
        assertEquals("cmd ok status: 0 of 4 slowed", console.handle("status"));
    }

    @Test
    void answersEveryLineAndReportsErrorsWithoutStopping() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new SimulatorConsole(fleet).run(new BufferedReader(new StringReader(
                "# comment\n\nslow nosuch-7 2\nslow sim-0000 0.5\nbogus\n")), out);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("cmd error no device matches 'nosuch-7'", "cmd ok slow sim-0000 x0.5: 1 devices sim-0000",
                "cmd error unknown command 'bogus'; commands: slow SELECTOR FACTOR, recover SELECTOR, status, "
                + "telemetry pause SELECTOR, telemetry resume SELECTOR, telemetry status"), lines);
        assertEquals(500, fleet.get(0).speed().nanosPerMegaMac());
    }
}
