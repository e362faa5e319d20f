package io.c2f.agent.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@link SimulatorCommand}s line by line and answers each with one line starting with
 * {@code cmd ok} or {@code cmd error}, so a controlling process can wait for the answer. Ends at
 * the end of the input (the simulator keeps running).
 */
public final class SimulatorConsole {
    public static final String REPLY_PREFIX = "cmd ";
    private final List<FleetSimulator.SimulatedDevice> devices;

    public SimulatorConsole(List<FleetSimulator.SimulatedDevice> devices) {
        this.devices = List.copyOf(devices);
    }

    public void run(BufferedReader in, PrintStream out) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String reply = handle(line);
            synchronized (out) {
                out.println(reply);
                out.flush();
            }
        }
    }

    /** Executes one line; returns the answer line. */
    public String handle(String line) {
        SimulatorCommand c;
        try {
            c = SimulatorCommand.parse(line);
        } catch (IllegalArgumentException e) {
            return REPLY_PREFIX + "error " + e.getMessage();
        }
        List<String> hit = c.apply(devices);
        boolean status = c.action() == SimulatorCommand.Action.STATUS
                || c.action() == SimulatorCommand.Action.RECORDS_STATUS;
        if (hit.isEmpty() && !status) {
            return REPLY_PREFIX + "error no device matches '" + c.selector() + "'";
        }
        String what = switch (c.action()) {
            case SLOW -> String.format(Locale.ROOT, "slow %s x%s: %d devices", c.selector(), c.factor(), hit.size());
            case RECOVER -> "recover " + c.selector() + ": " + hit.size() + " devices";
            case STATUS -> "status: " + hit.size() + " of " + devices.size() + " slowed";
            case PAUSE_RECORDS -> "telemetry pause " + c.selector() + ": " + hit.size() + " devices";
            case RESUME_RECORDS -> "telemetry resume " + c.selector() + ": " + hit.size() + " devices";
            // the paused devices' ids would be a line of thousands of ids: the counts say what a caller waits for
            case RECORDS_STATUS -> "telemetry status: " + hit.size() + " of " + devices.size() + " paused, "
                    + spooled() + " spooled";
        };
        boolean listIds = !hit.isEmpty() && c.action() != SimulatorCommand.Action.RECORDS_STATUS;
        return REPLY_PREFIX + "ok " + what + (listIds ? " " + String.join(",", hit) : "");
    }

    /** Records in every device's spool, not yet acknowledged by the broker. */
    private long spooled() {
        long n = 0;
        for (FleetSimulator.SimulatedDevice d : devices) {
            n += d.agent().telemetrySpooled();
        }
        return n;
    }
}
