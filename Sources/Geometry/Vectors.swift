import Foundation

/// A 3-vector of doubles (poses and scene bounds are kept in double precision).
public struct Vec3: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Double, y: Double, z: Double
    @inlinable public init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }
    public static let zero = Vec3(0, 0, 0)

    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func * (a: Vec3, s: Double) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func * (s: Double, a: Vec3) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func / (a: Vec3, s: Double) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable public func dot(_ b: Vec3) -> Double { x * b.x + y * b.y + z * b.z }
    @inlinable public func cross(_ b: Vec3) -> Vec3 { Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x) }
    @inlinable public var length: Double { dot(self).squareRoot() }
    /// The unit vector in this direction (the zero vector stays zero).
    @inlinable public var normalized: Vec3 { let l = length; return l > 0 ? self / l : self }
    @inlinable public func minimum(_ b: Vec3) -> Vec3 { Vec3(Swift.min(x, b.x), Swift.min(y, b.y), Swift.min(z, b.z)) }
    @inlinable public func maximum(_ b: Vec3) -> Vec3 { Vec3(Swift.max(x, b.x), Swift.max(y, b.y), Swift.max(z, b.z)) }
    public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
    public var array: [Double] { [x, y, z] }
    public subscript(i: Int) -> Double { i == 0 ? x : (i == 1 ? y : z) }
    public var description: String { "(\(x), \(y), \(z))" }
}

/// A 3x3 matrix of doubles, row-major.
public struct Mat3: Equatable, Sendable {
    public var r0: Vec3, r1: Vec3, r2: Vec3
    public init(rows r0: Vec3, _ r1: Vec3, _ r2: Vec3) { self.r0 = r0; self.r1 = r1; self.r2 = r2 }
    public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) {
        r0 = Vec3(c0.x, c1.x, c2.x); r1 = Vec3(c0.y, c1.y, c2.y); r2 = Vec3(c0.z, c1.z, c2.z)
    }
    public static let identity = Mat3(rows: Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1))
    public subscript(r: Int, c: Int) -> Double { (r == 0 ? r0 : (r == 1 ? r1 : r2))[c] }
    public var c0: Vec3 { Vec3(r0.x, r1.x, r2.x) }
    public var c1: Vec3 { Vec3(r0.y, r1.y, r2.y) }
    public var c2: Vec3 { Vec3(r0.z, r1.z, r2.z) }
    public var transposed: Mat3 { Mat3(rows: c0, c1, c2) }
    @inlinable public static func * (m: Mat3, v: Vec3) -> Vec3 { Vec3(m.r0.dot(v), m.r1.dot(v), m.r2.dot(v)) }
    public static func * (a: Mat3, b: Mat3) -> Mat3 { Mat3(columns: a * b.c0, a * b.c1, a * b.c2) }
    /// Rotation by `angle` radians about the X axis (right-handed).
    public static func rotationX(_ angle: Double) -> Mat3 {
        let c = cos(angle), s = sin(angle)
        return Mat3(rows: Vec3(1, 0, 0), Vec3(0, c, -s), Vec3(0, s, c))
    }
    public var determinant: Double { r0.dot(r1.cross(r2)) }
    /// Row-major values.
    public var array: [Double] { r0.array + r1.array + r2.array }
}

/// A 4x4 affine transform of doubles, stored row-major (`m[r * 4 + c]`).
/// glTF stores matrices column-major: use `init(columnMajor:)` for those.
public struct Mat4: Equatable, Sendable {
    public var m: [Double]
    public init(rowMajor values: [Double]) { precondition(values.count == 16); m = values }
    public init(columnMajor values: [Double]) {
        precondition(values.count == 16)
        var out = [Double](repeating: 0, count: 16)
        for r in 0..<4 { for c in 0..<4 { out[r * 4 + c] = values[c * 4 + r] } }
        m = out
    }
    public static let identity = Mat4(rowMajor: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
    public subscript(r: Int, c: Int) -> Double {
        get { m[r * 4 + c] }
        set { m[r * 4 + c] = newValue }
    }
    /// The matrix product a * b (apply b first).
    public static func * (a: Mat4, b: Mat4) -> Mat4 {
        var out = [Double](repeating: 0, count: 16)
        for r in 0..<4 {
            for c in 0..<4 {
                var s = 0.0
                for k in 0..<4 { s += a.m[r * 4 + k] * b.m[k * 4 + c] }
                out[r * 4 + c] = s
            }
        }
        return Mat4(rowMajor: out)
    }
    /// Transforms a point (w = 1; the last row is assumed affine).
    @inlinable public func transformPoint(_ p: Vec3) -> Vec3 {
        Vec3(m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3],
             m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7],
             m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11])
    }
    /// Transforms a direction (w = 0).
    @inlinable public func transformDirection(_ d: Vec3) -> Vec3 {
        Vec3(m[0] * d.x + m[1] * d.y + m[2] * d.z,
             m[4] * d.x + m[5] * d.y + m[6] * d.z,
             m[8] * d.x + m[9] * d.y + m[10] * d.z)
    }
    /// The upper-left 3x3 block.
    public var linear: Mat3 {
        Mat3(rows: Vec3(m[0], m[1], m[2]), Vec3(m[4], m[5], m[6]), Vec3(m[8], m[9], m[10]))
    }
    public var translation: Vec3 {
        get { Vec3(m[3], m[7], m[11]) }
        set { m[3] = newValue.x; m[7] = newValue.y; m[11] = newValue.z }
    }
    public init(linear l: Mat3, translation t: Vec3) {
        m = [l.r0.x, l.r0.y, l.r0.z, t.x,
             l.r1.x, l.r1.y, l.r1.z, t.y,
             l.r2.x, l.r2.y, l.r2.z, t.z,
             0, 0, 0, 1]
    }
    /// A translation by `t`.
    public static func translation(_ t: Vec3) -> Mat4 { Mat4(linear: .identity, translation: t) }
    /// A scale by `s` along each axis.
    public static func scale(_ s: Vec3) -> Mat4 {
        Mat4(linear: Mat3(rows: Vec3(s.x, 0, 0), Vec3(0, s.y, 0), Vec3(0, 0, s.z)), translation: .zero)
    }
    /// glTF's node transform M = T * R * S.
    public static func trs(translation t: Vec3, rotation q: Quaternion, scale s: Vec3) -> Mat4 {
        let r = q.normalized.matrix
        return Mat4(linear: Mat3(columns: r.c0 * s.x, r.c1 * s.y, r.c2 * s.z), translation: t)
    }
    /// The inverse of an affine transform (nil when singular).
    public var affineInverse: Mat4? {
        let l = linear
        let det = l.determinant
        guard det != 0, det.isFinite else { return nil }
        let ic0 = l.r1.cross(l.r2) / det, ic1 = l.r2.cross(l.r0) / det, ic2 = l.r0.cross(l.r1) / det
        let inv = Mat3(columns: ic0, ic1, ic2)
        return Mat4(linear: inv, translation: -(inv * translation))
    }
    public var isFinite: Bool { m.allSatisfy { $0.isFinite } }
}

/// A unit quaternion (x, y, z, w) as glTF stores rotations.
public struct Quaternion: Equatable, Sendable {
    public var x: Double, y: Double, z: Double, w: Double
    public init(x: Double, y: Double, z: Double, w: Double) { self.x = x; self.y = y; self.z = z; self.w = w }
    public static let identity = Quaternion(x: 0, y: 0, z: 0, w: 1)
    /// Rotation by `angle` radians about `axis`.
    public init(axis: Vec3, angle: Double) {
        let a = axis.normalized, s = sin(angle / 2)
        self.init(x: a.x * s, y: a.y * s, z: a.z * s, w: cos(angle / 2))
    }
    public var normalized: Quaternion {
        let n = (x * x + y * y + z * z + w * w).squareRoot()
        return n > 0 ? Quaternion(x: x / n, y: y / n, z: z / n, w: w / n) : .identity
    }
    /// The Hamilton product (rotation b, then a).
    public static func * (a: Quaternion, b: Quaternion) -> Quaternion {
        Quaternion(x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                   y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                   z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
                   w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }
    /// The rotation matrix of this (unit) quaternion.
    public var matrix: Mat3 {
        let xx = x * x, yy = y * y, zz = z * z, xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z
        return Mat3(rows: Vec3(1 - 2 * (yy + zz), 2 * (xy - wz), 2 * (xz + wy)),
                    Vec3(2 * (xy + wz), 1 - 2 * (xx + zz), 2 * (yz - wx)),
                    Vec3(2 * (xz - wy), 2 * (yz + wx), 1 - 2 * (xx + yy)))
    }
    /// `v` rotated by this unit quaternion.
    public func rotate(_ v: Vec3) -> Vec3 { matrix * v }
}

/// An axis-aligned box.
public struct Box3: Equatable, Sendable {
    public var min: Vec3, max: Vec3
    public init(min: Vec3, max: Vec3) { self.min = min; self.max = max }
    /// The empty box (min = +inf, max = -inf), ready to be grown.
    public static let empty = Box3(min: Vec3(.infinity, .infinity, .infinity), max: Vec3(-.infinity, -.infinity, -.infinity))
    public var isEmpty: Bool { min.x > max.x || min.y > max.y || min.z > max.z }
    /// Grows the box to contain a point.
    public mutating func include(_ p: Vec3) { min = min.minimum(p); max = max.maximum(p) }
    /// Grows the box to contain another box.
    public mutating func include(_ b: Box3) { if !b.isEmpty { min = min.minimum(b.min); max = max.maximum(b.max) } }
    public var size: Vec3 { max - min }
    public var center: Vec3 { (min + max) / 2 }
    /// The 8 corners.
    public var corners: [Vec3] {
        [Vec3(min.x, min.y, min.z), Vec3(min.x, min.y, max.z), Vec3(min.x, max.y, max.z), Vec3(min.x, max.y, min.z),
         Vec3(max.x, min.y, min.z), Vec3(max.x, min.y, max.z), Vec3(max.x, max.y, max.z), Vec3(max.x, max.y, min.z)]
    }
    /// The world box of this local box's 8 corners carried through `transform` (what Blender's
    /// `matrix_world @ obj.bound_box` measures, as zero123's `scene_bbox` does).
    public func transformedCorners(_ transform: Mat4) -> Box3 {
        var b = Box3.empty
        if isEmpty { return b }
        for c in corners { b.include(transform.transformPoint(c)) }
        return b
    }
}
