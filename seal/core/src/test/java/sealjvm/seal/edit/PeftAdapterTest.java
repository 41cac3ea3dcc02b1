package sealjvm.seal.edit;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.edit.EditTestModels.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.safetensors.SafeTensors;

class PeftAdapterTest {
    @Test
    void exportUsesPeftNamesAndLayoutAndLoadsBack(@TempDir Path dir) throws Exception {
        var r = new SplittableRandom(4);
        try (Gpt2Model m = randomModel(4, 2, 2, 4, 9); Arena arena = Arena.ofShared()) {
            Edit e = randomEdit(arena, r, Target.parse("h.1.mlp.c_proj,h.0.attn.c_attn", m.config), 3, 6f, 1.0);
            PeftAdapter.write(dir, e, "openai-community/gpt2");

            var cfg = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
            assertEquals("LORA", cfg.get("peft_type").asText());
            assertTrue(cfg.get("fan_in_fan_out").asBoolean());
            assertEquals(3, cfg.get("r").asInt());
            assertEquals(6.0, cfg.get("lora_alpha").asDouble());
            try (SafeTensors st = SafeTensors.open(dir.resolve("adapter_model.safetensors"))) {
                // PEFT's key names and shapes: lora_A [r, in], lora_B [out, r]
                assertArrayEquals(new int[] {3, 32}, st.info("base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight").orElseThrow().shape());
                assertArrayEquals(new int[] {8, 3}, st.info("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight").orElseThrow().shape());
                assertArrayEquals(new int[] {24, 3}, st.info("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight").orElseThrow().shape());
            }

            Edit back = PeftAdapter.read(dir, m.config, arena);
            assertEquals(2, back.deltas().size());
            for (LowRankDelta d : e.deltas()) {
                LowRankDelta b = back.deltas().stream().filter(x -> x.target().equals(d.target())).findFirst().orElseThrow();
                assertArrayEquals(d.a().toArray(), b.a().toArray());
                assertArrayEquals(d.b().toArray(), b.b().toArray());
                assertEquals(d.scale(), b.scale());
            }
        }
    }

    @Test
    void badAdaptersAreNamed(@TempDir Path dir) throws Exception {
        try (Gpt2Model m = randomModel(4, 1, 2, 4, 9); Arena arena = Arena.ofShared()) {
            var e = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.read(dir, m.config, arena));
            assertTrue(e.getMessage().contains("adapter_config.json"), e.getMessage());
            Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"IA3\"}");
            e = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.read(dir, m.config, arena));
            assertTrue(e.getMessage().contains("LORA"), e.getMessage());
        }
    }
}
