import Foundation
import Support
import Tensor

/// .npy files as tensors, for the commands that take and write them.
enum TensorFiles {
    /// Reads a float32 or float64 .npy as a float32 tensor.
    static func read(_ path: String) throws -> Tensor {
        let bytes = try FileReading.readAll(path, limit: 1 << 34)
        let (values, shape) = try NPY.decode(bytes)
        return Tensor(shape: shape, data: values.map { Float($0) })
    }

    /// Writes a tensor as a float32 .npy, atomically.
    static func write(_ tensor: Tensor, to path: String) throws {
        try AtomicFile.write(NPY.encode(float32: tensor.data, shape: tensor.shape), to: path)
    }
}
