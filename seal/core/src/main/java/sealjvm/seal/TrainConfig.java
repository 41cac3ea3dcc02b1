package sealjvm.seal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.policy.InitialEdit;
import sealjvm.seal.policy.NoiseScope;

/**
 * Everything that defines a SEAL training run; saved as RUN_DIR/config.json so that {@code --resume}
 * and {@code bin/seal eval} rebuild exactly the same task, model, generator and data.
 */
public record TrainConfig(
        TaskName task,        // spam | facts | lm
        String model,         // Hugging Face GPT-2 directory
        String targets,       // e.g. h.1.mlp.c_proj
        int rank, float alpha,
        int samples,          // K edits sampled per context
        int episodes,
        double lr,
        Schedule lrSchedule,  // cosine (to 0 at the last episode) | constant
        long seed,
        int hidden,           // generator MLP width
        double initStd,       // initial σ of the Gaussian over factors
        double entropyBonus,  // β
        Baseline baseline,    // rloo | ema
        double emaDecay,
        double clip,          // max gradient norm (0 = off)
        double lambdaForget, double lambdaNorm,
        DataSource data,      // full (fetched on first use) | sample (committed, small)
        long dataSeed,
        EditPolicy policy,    // how edits are built from a context (absent in older runs: mlp)
        int contentRank,      // grad, sft: rank of the content part
        NoiseScope noiseScope, // which dimensions are sampled (absent in older runs: all)
        boolean antithetic,   // samples in pairs (ε, −ε) (absent in older runs: false)
        InitialEdit initEdit) { // where the factor edit starts (absent in older runs: none)

    /** A run with the MLP policy (the settings of runs made before the policy was a choice). */
    public TrainConfig(TaskName task, String model, String targets, int rank, float alpha, int samples, int episodes, double lr,
                       Schedule lrSchedule, long seed, int hidden, double initStd, double entropyBonus, Baseline baseline, double emaDecay,
                       double clip, double lambdaForget, double lambdaNorm, DataSource data, long dataSeed) {
        this(task, model, targets, rank, alpha, samples, episodes, lr, lrSchedule, seed, hidden, initStd, entropyBonus, baseline, emaDecay,
                clip, lambdaForget, lambdaNorm, data, dataSeed, EditPolicy.MLP, 0, NoiseScope.ALL, false, InitialEdit.NONE);
    }

    /** The learning rate of episode e: cosine decay tames the late random walk of Adam on noisy REINFORCE gradients. */
    public double lrAt(int episode) {
        if (lrSchedule == Schedule.CONSTANT || episodes <= 1) return lr;
        return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(episode, episodes) / episodes));
    }

    public TrainConfig {
        if (policy == null) policy = EditPolicy.MLP;
        if (policy != EditPolicy.MLP && contentRank < 1) throw new IllegalArgumentException("--generator " + policy.cliName() + " needs --content-rank >= 1, got " + contentRank);
        if (policy == EditPolicy.MLP) contentRank = 0;
        if (noiseScope == null) noiseScope = NoiseScope.ALL;
        if (initEdit == null) initEdit = InitialEdit.NONE;
        if (initEdit == InitialEdit.STATIC && task == TaskName.SPAM) {
            throw new IllegalArgumentException("--init-edit static needs a task with scored text (facts, lm); spam has no static edit fitted by backprop");
        }
        if (noiseScope == NoiseScope.CONTENT && policy == EditPolicy.MLP) {
            throw new IllegalArgumentException("--noise-scope content needs --generator grad or sft (the mlp generator has no content part)");
        }
        if (antithetic && samples % 2 != 0) throw new IllegalArgumentException("--antithetic needs an even --samples, got " + samples);
        if (task == null || baseline == null || lrSchedule == null || data == null) {
            throw new IllegalArgumentException("a run config needs task, baseline, lrSchedule and data");
        }
        if (baseline == Baseline.RLOO && samples < 2) throw new IllegalArgumentException("the RLOO baseline needs --samples >= 2, got " + samples);
        if (samples < 1 || episodes < 0 || rank < 1 || hidden < 1) {
            throw new IllegalArgumentException("need --samples >= 1, --episodes >= 0, --rank >= 1, hidden >= 1");
        }
        if (!(lr > 0) || !(initStd > 0)) throw new IllegalArgumentException("--lr and the initial std must be positive");
    }

    /** The task a run edits for. */
    public enum TaskName {
        @JsonProperty("spam") SPAM, @JsonProperty("facts") FACTS, @JsonProperty("lm") LM;

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }

        public static TaskName parse(String s) { return Choices.parse(values(), "--task", s); }
    }

    /** How the learning rate moves over the episodes. */
    public enum Schedule {
        @JsonProperty("cosine") COSINE, @JsonProperty("constant") CONSTANT;

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }

        public static Schedule parse(String s) { return Choices.parse(values(), "--lr-schedule", s); }
    }

    /** The REINFORCE baseline: leave-one-out over the K samples, or an exponential moving average over episodes. */
    public enum Baseline {
        @JsonProperty("rloo") RLOO, @JsonProperty("ema") EMA;

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }

        public static Baseline parse(String s) { return Choices.parse(values(), "--baseline", s); }
    }

    /** Which data a task reads: the full corpus (fetched on first use) or the small committed sample. */
    public enum DataSource {
        @JsonProperty("full") FULL, @JsonProperty("sample") SAMPLE;

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }

        public static DataSource parse(String s) { return Choices.parse(values(), "--data", s); }
    }

    /** Named construction: the plain generator (mlp, noise on every factor entry, one target), each setting changed by name. */
    public static Builder builder(TaskName task, String model) { return new Builder(task, model, false); }

    /**
     * {@code bin/seal train}'s defaults for a task, each changed by name: for facts and lm the measured winner (the sft
     * generator on every MLP, noise on its content scales only, antithetic pairs; for lm starting at the static edit),
     * for spam {@link #builder}'s.
     */
    public static Builder forTask(TaskName task, String model) { return new Builder(task, model, true); }

    /** The linears a facts or lm edit writes by default: every MLP, where a LoRA fine-tune stores what a context says. */
    public static final String MLP_TARGETS = "h.*.mlp.c_fc,h.*.mlp.c_proj";

    /** The linear the spam task's edit (and the plain builder's) writes by default. */
    public static final String GLOBAL_TARGETS = "h.1.attn.c_proj";

    /** A copy of this config to change by name. */
    public Builder toBuilder() {
        return new Builder(task, model, false).targets(targets).rank(rank).alpha(alpha).samples(samples).episodes(episodes).lr(lr)
                .lrSchedule(lrSchedule).seed(seed).hidden(hidden).initStd(initStd).entropyBonus(entropyBonus).baseline(baseline)
                .emaDecay(emaDecay).clip(clip).lambdaForget(lambdaForget).lambdaNorm(lambdaNorm).data(data).dataSeed(dataSeed)
                .policy(policy).contentRank(contentRank).noiseScope(noiseScope).antithetic(antithetic).initEdit(initEdit);
    }

    /** Builds a {@link TrainConfig} field by field; {@link #build()} checks it as the constructor does. */
    public static final class Builder {
        private final TaskName task;
        private final String model;
        // Left null, these follow the generator (and, from forTask, the task) in build().
        private String targets;
        private EditPolicy policy;
        private NoiseScope noiseScope;
        private Boolean antithetic;
        private Integer episodes;
        private InitialEdit initEdit;
        private Schedule lrSchedule = Schedule.COSINE;
        private Baseline baseline = Baseline.RLOO;
        private DataSource data = DataSource.FULL;
        private int rank = 4, samples = 8, hidden = 64, contentRank = 8;
        private float alpha = 4f;
        private double lr = 1e-3, initStd = 0.01, entropyBonus = 0, emaDecay = 0.9, clip = 1.0, lambdaForget = 1.0, lambdaNorm = 2e-4;
        private long seed = 1, dataSeed = 1234;

        private final boolean taskDefaults;

        private Builder(TaskName task, String model, boolean taskDefaults) { this.task = task; this.model = model; this.taskDefaults = taskDefaults; }

        public Builder targets(String v) { targets = v; return this; }
        public Builder rank(int v) { rank = v; return this; }
        public Builder alpha(float v) { alpha = v; return this; }
        public Builder samples(int v) { samples = v; return this; }
        public Builder episodes(int v) { episodes = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder lrSchedule(Schedule v) { lrSchedule = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder initStd(double v) { initStd = v; return this; }
        public Builder entropyBonus(double v) { entropyBonus = v; return this; }
        public Builder baseline(Baseline v) { baseline = v; return this; }
        public Builder emaDecay(double v) { emaDecay = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder lambdaForget(double v) { lambdaForget = v; return this; }
        public Builder lambdaNorm(double v) { lambdaNorm = v; return this; }
        public Builder data(DataSource v) { data = v; return this; }
        public Builder dataSeed(long v) { dataSeed = v; return this; }
        public Builder policy(EditPolicy v) { policy = v; return this; }
        public Builder contentRank(int v) { contentRank = v; return this; }
        public Builder noiseScope(NoiseScope v) { noiseScope = v; return this; }
        public Builder antithetic(boolean v) { antithetic = v; return this; }
        public Builder initEdit(InitialEdit v) { initEdit = v; return this; }

        public TrainConfig build() {
            // facts and lm: the measured winners, the sft generator on every MLP with noise on its content scales only;
            // lm's policy starts at the static edit (the mail domain's shift, which a 64-token fine-tune cannot match).
            boolean measured = taskDefaults && (task == TaskName.FACTS || task == TaskName.LM);
            EditPolicy policy = this.policy != null ? this.policy : measured ? EditPolicy.SFT : EditPolicy.MLP;
            String targets = this.targets != null ? this.targets : measured ? MLP_TARGETS : GLOBAL_TARGETS;
            boolean contentEdit = measured && policy != EditPolicy.MLP;
            NoiseScope noiseScope = this.noiseScope != null ? this.noiseScope : contentEdit ? NoiseScope.CONTENT : NoiseScope.ALL;
            boolean antithetic = this.antithetic != null ? this.antithetic : contentEdit && samples % 2 == 0;
            int episodes = this.episodes != null ? this.episodes : policy.defaultEpisodes();
            InitialEdit initEdit = this.initEdit != null ? this.initEdit : contentEdit && task == TaskName.LM ? InitialEdit.STATIC : InitialEdit.NONE;
            return new TrainConfig(task, model, targets, rank, alpha, samples, episodes, lr, lrSchedule, seed, hidden, initStd, entropyBonus,
                    baseline, emaDecay, clip, lambdaForget, lambdaNorm, data, dataSeed, policy, contentRank, noiseScope, antithetic, initEdit);
        }
    }
}
