package org.tribuoadapt.pipeline;

import org.tribuoadapt.core.train.TrainingListener;

/**
 * Where long-running work reports its progress: the command line shows a progress bar per task, tests show
 * nothing.
 */
@FunctionalInterface
public interface ProgressSink {

    /** Reports nothing. */
    ProgressSink NONE = task -> TrainingListener.NONE;

    /**
     * A listener for one named task, such as training one model.
     * @param task The task's name.
     * @return The listener.
     */
    TrainingListener task(String task);
}
