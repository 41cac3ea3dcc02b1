package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void allocationIsAlignedAndViewsShareMemory() {
        try (Arena arena = Arena.ofShared()) {
            Tensor t = Tensor.allocate(arena, 3, 5);
            assertEquals(0, t.segment().address() % Tensor.ALIGNMENT);
            t.row(1).set(2, 7f);
            assertEquals(7f, t.get(1 * 5 + 2));
            assertEquals(7f, t.view(15).get(7));
            assertThrows(IllegalArgumentException.class, () -> t.view(4, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> t.row(3));
        }
    }
}
