package org.tribuoadapt.hpo.search;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The heartbeat of a running trial (Optuna's {@code HeartbeatThread}): a daemon thread that records the time in the
 * trial's system attribute {@value Study#HEARTBEAT} every interval until it is closed. The first heartbeat is
 * written with the trial's start, so the thread waits one interval before its first record.
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger logger = Logger.getLogger(Heartbeat.class.getName());

    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private Heartbeat(StudyStorage storage, StudyStorage.TrialRef trial, Duration interval) {
        thread = new Thread(() -> beat(storage, trial, interval), "heartbeat-trial-" + trial.number());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts the heartbeat of a trial, if the policy has one.
     * @param storage The storage.
     * @param trial The running trial.
     * @param policy The policy.
     * @return The heartbeat, or null when the policy records none.
     */
    static Heartbeat start(StudyStorage storage, StudyStorage.TrialRef trial, FaultPolicy policy) {
        return policy.enabled() ? new Heartbeat(storage, trial, policy.heartbeatInterval()) : null;
    }

    /**
     * The value of a heartbeat recorded now.
     * @return The instant as ISO-8601 text in UTC.
     */
    static String now() {
        return Instant.now().toString();
    }

    private void beat(StudyStorage storage, StudyStorage.TrialRef trial, Duration interval) {
        try {
            while (!stop.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                try {
                    storage.setSystemAttribute(trial.id(), Study.HEARTBEAT, now());
                } catch (IllegalStateException e) {
                    // another worker failed the trial as stale: nothing to keep alive
                    logger.warning(() -> "trial " + trial.number() + " stops its heartbeat: " + e.getMessage());
                    return;
                } catch (RuntimeException e) {
                    logger.log(Level.WARNING, "trial " + trial.number() + " could not record its heartbeat", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the heartbeat and waits for its thread, so no heartbeat is written after the trial ends. */
    @Override
    public void close() {
        stop.countDown();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
