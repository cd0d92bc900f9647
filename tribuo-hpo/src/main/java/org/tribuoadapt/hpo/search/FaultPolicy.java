package org.tribuoadapt.hpo.search;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link Study} survives workers that die mid-trial, after Optuna's heartbeat ({@code RDBStorage}'s
 * {@code heartbeat_interval} and {@code grace_period}) and {@code RetryFailedTrialCallback(max_retry)}: while a
 * trial runs its worker records a heartbeat every {@code heartbeatInterval}; before a worker starts a trial it fails
 * the RUNNING trials whose last heartbeat is more than {@code gracePeriod} old, and re-enqueues each as a WAITING
 * copy with the same parameters unless it has already been retried {@code maxRetry} times.
 * @param heartbeatInterval How often a running trial records its heartbeat, or null for no heartbeats (then nothing
 *     is failed or retried).
 * @param gracePeriod How old the last heartbeat of a RUNNING trial may be before the trial is failed; more than the
 *     interval.
 * @param maxRetry How many times a trial that went stale is retried (0: never), Optuna's {@code max_retry}.
 */
public record FaultPolicy(Duration heartbeatInterval, Duration gracePeriod, int maxRetry) {

    /** No heartbeats, no stale trials and no retries (Optuna's storages without a heartbeat). */
    public static final FaultPolicy NONE = new FaultPolicy(null, null, 0);

    /**
     * Validates the settings.
     */
    public FaultPolicy {
        if (heartbeatInterval == null) {
            if (gracePeriod != null || maxRetry != 0) {
                throw new IllegalArgumentException("a grace period or max retry needs a heartbeat interval");
            }
        } else {
            if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
                throw new IllegalArgumentException("the heartbeat interval must be positive, found " + heartbeatInterval);
            }
            if (gracePeriod == null || gracePeriod.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("the grace period must be longer than the heartbeat interval "
                        + heartbeatInterval + ", found " + gracePeriod + " (every trial would look stale between heartbeats)");
            }
            if (maxRetry < 0) {
                throw new IllegalArgumentException("max retry must be >= 0, found " + maxRetry);
            }
        }
    }

    /**
     * A policy in seconds, with Optuna's default grace period (twice the interval) when {@code gracePeriodSeconds}
     * is not positive.
     * @param heartbeatIntervalSeconds The heartbeat interval in seconds.
     * @param gracePeriodSeconds The grace period in seconds, or 0 for twice the interval.
     * @param maxRetry How many times a stale trial is retried.
     * @return The policy.
     */
    public static FaultPolicy ofSeconds(double heartbeatIntervalSeconds, double gracePeriodSeconds, int maxRetry) {
        if (!(heartbeatIntervalSeconds > 0) || Double.isInfinite(heartbeatIntervalSeconds)) {
            throw new IllegalArgumentException("the heartbeat interval must be a positive number of seconds, found "
                    + heartbeatIntervalSeconds);
        }
        Duration interval = seconds(heartbeatIntervalSeconds);
        return new FaultPolicy(interval, gracePeriodSeconds > 0 ? seconds(gracePeriodSeconds) : interval.multipliedBy(2),
                maxRetry);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * Whether trials record heartbeats (and stale trials are failed).
     * @return True when there is a heartbeat interval.
     */
    public boolean enabled() {
        return heartbeatInterval != null;
    }

    /**
     * The policy as the study user attribute {@value Study#FAULT_POLICY_ATTRIBUTE} records it: seconds and the retry count.
     * @return {@code heartbeat_interval}, {@code grace_period} (seconds) and {@code max_retry}.
     */
    public Map<String, Object> toAttribute() {
        Map<String, Object> attribute = new LinkedHashMap<>();
        attribute.put("heartbeat_interval", heartbeatInterval.toNanos() / 1e9);
        attribute.put("grace_period", gracePeriod.toNanos() / 1e9);
        attribute.put("max_retry", maxRetry);
        return attribute;
    }

    /**
     * Reads a policy recorded by {@link #toAttribute()}.
     * @param attribute The recorded value.
     * @return The policy.
     * @throws IllegalArgumentException If it is not a recorded policy.
     */
    public static FaultPolicy fromAttribute(Object attribute) {
        if (attribute instanceof Map<?, ?> map && map.get("heartbeat_interval") instanceof Number interval
                && map.get("grace_period") instanceof Number grace && map.get("max_retry") instanceof Number retry) {
            return ofSeconds(interval.doubleValue(), grace.doubleValue(), retry.intValue());
        }
        throw new IllegalArgumentException("the recorded fault policy " + attribute
                + " needs the numbers heartbeat_interval, grace_period and max_retry");
    }
}
