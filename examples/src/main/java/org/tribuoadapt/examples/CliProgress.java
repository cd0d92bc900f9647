package org.tribuoadapt.examples;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.pipeline.ProgressSink;

import java.util.Locale;

/**
 * Shows one progress bar per training task on standard error, with the latest loss and learning rate.
 */
final class CliProgress implements ProgressSink {

    @Override
    public TrainingListener task(String task) {
        return new TrainingListener() {
            private ProgressBar bar;

            @Override
            public void onStart(long totalSteps) {
                onFinish();
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build();
            }

            @Override
            public void onStep(long step, double loss, double learningRate) {
                bar.stepTo(step);
                bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f lr %.2e", loss, learningRate));
            }

            @Override
            public void onFinish() {
                if (bar != null) {
                    bar.close();
                    bar = null;
                }
            }
        };
    }
}
