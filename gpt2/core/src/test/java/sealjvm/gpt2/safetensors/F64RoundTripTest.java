package sealjvm.gpt2.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class F64RoundTripTest {
    @Test
    void doublesRoundTripBitExactly(@TempDir Path tmp) {
        double[] a = {Math.PI, -0.0, Double.MIN_VALUE, Double.NaN, 1e300, -7};
        double[] b = {};
        Path f = tmp.resolve("ckpt.safetensors");
        SafeTensorsWriter.writeF64(f, Map.of("a", a, "b", b), Map.of("episode", "12"));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals("12", st.metadata().get("episode"));
            double[] got = st.readF64("a");
            for (int i = 0; i < a.length; i++) assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(got[i]));
            assertEquals(0, st.readF64("b").length);
            assertThrows(SafeTensorsException.class, () -> st.readF32("a", java.lang.foreign.Arena.ofAuto()));
        }
    }
}
