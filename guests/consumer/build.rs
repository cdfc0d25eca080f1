fn main() {
    wasmatrix_proto::build::write_selected_codec();
}
