package io.c2f.agent.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of the simulator's console (its standard input), so that another process (the demo,
 * an end-to-end test, a person) can change devices' speeds while they run:
 *
 * <pre>
 * slow SELECTOR FACTOR    multiply the selected devices' cost per MAC by FACTOR (3 = three times slower)
 * recover SELECTOR        back to the speed each device started with
 * status                  how many devices are slowed
 * telemetry pause SELECTOR   the selected devices stop creating periodic telemetry records (interval
 *                            totals, device facts); heartbeats, generation records and sending the
 *                            spool go on, so their spools drain
 * telemetry resume SELECTOR  they create them again (the first totals cover the paused time)
 * telemetry status           how many devices are paused, and the records in all devices' spools
 *                            (not yet acknowledged by the broker)
 * </pre>
 *
 * SELECTOR is {@code all}, a label {@code key=value} or device ids separated by commas (see
 * {@link DeviceSelector}). Pausing lets a run end cleanly: pause all, wait until {@code telemetry
 * status} answers 0 spooled, then stop, and every record the devices created has been sent.
 */
record SimulatorCommand(Action action, DeviceSelector selector, double factor) {
    public enum Action { SLOW, RECOVER, STATUS, PAUSE_RECORDS, RESUME_RECORDS, RECORDS_STATUS }

    static final String COMMANDS = "slow SELECTOR FACTOR, recover SELECTOR, status, telemetry pause SELECTOR, "
            + "telemetry resume SELECTOR, telemetry status";
    private static final String TELEMETRY_USAGE = "usage: telemetry pause SELECTOR | telemetry resume SELECTOR | "
            + "telemetry status";

    public static SimulatorCommand parse(String line) {
        String[] w = line.trim().split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        switch (verb) {
            case "slow" -> {
                if (w.length != 3) {
                    throw new IllegalArgumentException("usage: slow SELECTOR FACTOR (got '" + line.trim() + "')");
                }
                double factor;
                try {
                    factor = Double.parseDouble(w[2]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("slow-down factor '" + w[2] + "' is not a number");
                }
                if (!(factor > 0) || Double.isInfinite(factor)) {
                    throw new IllegalArgumentException("slow-down factor must be a positive finite number, got " + w[2]);
                }
                return new SimulatorCommand(Action.SLOW, DeviceSelector.parse(w[1]), factor);
            }
            case "recover" -> {
                if (w.length != 2) {
                    throw new IllegalArgumentException("usage: recover SELECTOR (got '" + line.trim() + "')");
                }
                return new SimulatorCommand(Action.RECOVER, DeviceSelector.parse(w[1]), 1);
            }
            case "status" -> {
                if (w.length != 1) {
                    throw new IllegalArgumentException("usage: status (got '" + line.trim() + "')");
                }
                return new SimulatorCommand(Action.STATUS, DeviceSelector.parse("all"), 1);
            }
            case "telemetry" -> {
                return parseTelemetry(w, line.trim());
            }
            default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'; commands: " + COMMANDS);
        }
    }

    private static SimulatorCommand parseTelemetry(String[] w, String line) {
        if (w.length < 2) {
            throw new IllegalArgumentException(TELEMETRY_USAGE + " (got '" + line + "')");
        }
        String sub = w[1].toLowerCase(Locale.ROOT);
        switch (sub) {
            case "pause", "resume" -> {
                if (w.length != 3) {
                    throw new IllegalArgumentException("usage: telemetry " + sub + " SELECTOR (got '" + line + "')");
                }
                return new SimulatorCommand(sub.equals("pause") ? Action.PAUSE_RECORDS : Action.RESUME_RECORDS,
                        DeviceSelector.parse(w[2]), 1);
            }
            case "status" -> {
                if (w.length != 2) {
                    throw new IllegalArgumentException("usage: telemetry status (got '" + line + "')");
                }
                return new SimulatorCommand(Action.RECORDS_STATUS, DeviceSelector.parse("all"), 1);
            }
            default -> throw new IllegalArgumentException("unknown telemetry command '" + w[1] + "'; "
                    + TELEMETRY_USAGE);
        }
    }

    /**
     * Applies the command; returns the ids of the devices it changed (STATUS: the slowed ones,
     * RECORDS_STATUS: the paused ones).
     */
    public List<String> apply(List<FleetSimulator.SimulatedDevice> devices) {
        List<String> hit = new ArrayList<>();
        for (FleetSimulator.SimulatedDevice d : devices) {
            if (!selector.matches(d.id(), d.labels())) {
                continue;
            }
            switch (action) {
                case SLOW -> d.speed().slowDown(factor);
                case RECOVER -> d.speed().recover();
                case STATUS -> {
                    if (d.speed().factor() == 1.0) {
                        continue;
                    }
                }
                case PAUSE_RECORDS -> d.agent().pauseRecords();
                case RESUME_RECORDS -> d.agent().resumeRecords();
                case RECORDS_STATUS -> {
                    if (!d.agent().recordsPaused()) {
                        continue;
                    }
                }
            }
            hit.add(d.id());
        }
        return hit;
    }
}
