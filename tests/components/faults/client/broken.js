export default {
    init() {
        this is not javascript
    },
};
