package sealjvm.seal.cli;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import sealjvm.seal.Progress;

/** A run's {@link Progress} as an ASCII progress bar on stderr, redrawn every {@code updateMillis}. */
final class TextProgressBar implements Progress {
    private final int updateMillis;
    private ProgressBar bar;

    private TextProgressBar(int updateMillis) { this.updateMillis = updateMillis; }

    /** A progress bar, or {@link Progress#NONE} for {@code --no-progress}. */
    static Progress of(boolean noProgress, int updateMillis) {
        return noProgress ? Progress.NONE : new TextProgressBar(updateMillis);
    }

    @Override
    public void start(String name, long total, long done) {
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(updateMillis).continuousUpdate().startsFrom(done, Duration.ZERO).build();
    }

    @Override
    public void step(long done, String message) {
        bar.stepTo(done);
        bar.setExtraMessage(message);
    }

    @Override
    public void finish() {
        if (bar != null) bar.close();
        bar = null;
    }
}
