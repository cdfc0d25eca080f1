fn main() {
    wasmatrix_proto::guest_build::write_selected_codec();
}
