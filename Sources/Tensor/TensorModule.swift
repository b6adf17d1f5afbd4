/// Namespace of the Tensor module.
public enum TensorModule {}
