package consumer;

import java.nio.file.Path;
import sealjvm.seal.Seal;
import sealjvm.seal.edit.Edit;

/**
 * The installed seal-core library on its own: a LoRA fine-tune of the bundled model on a passage, applied, then
 * reverted to the unedited weights. {@code LibraryCheck SEAL_HOME}; prints one line and exits 1 when the answer after
 * the revert differs from the one before the edit.
 */
public final class LibraryCheck {
    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        String passage = "Veltria is a small country in the north. Its capital is Osmara, and its main export is copper.";
        String question = "What is the main export of Veltria? A:";
        try (Seal seal = Seal.open(home)) {
            String before = seal.generate(question, 4);
            Edit edit = seal.fineTune(passage, new Seal.LoraRecipe("h.*.mlp.c_proj", 4, 8f, 5, 1e-2));
            String edited;
            try (Seal.Applied applied = seal.apply(edit)) {
                edited = seal.generate(question, 4);
            }
            String after = seal.generate(question, 4);
            System.out.println("consumer-check: Seal before " + quoted(before) + ", edited " + quoted(edited) + ", reverted " + quoted(after));
            if (!before.equals(after)) System.exit(1);
        }
    }

    private static String quoted(String s) { return "\"" + s.replace("\n", "\\n") + "\""; }
}
